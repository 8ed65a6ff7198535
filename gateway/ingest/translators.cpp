#include "gateway/ingest/translators.hpp"

namespace gw::ingest {

translator_registry default_translators(const config::gateway_config&) {
  translator_registry r;
  // Adapters register here as they land (hl7v2, qd130, cv365, mapped). A format without a
  // translator is still accepted on the wire, stored as rejected with a clear issue, and can be
  // replayed once its adapter exists.
  return r;
}

}  // namespace gw::ingest
