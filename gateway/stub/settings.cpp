#include "gateway/stub/settings.hpp"

#include <algorithm>

#include "gateway/config/yaml_map.hpp"

namespace gw::stub {

namespace fs = std::filesystem;
using config::yaml_context;
using config::yaml_map;

namespace {

void read_limits(yaml_map& parent, config::limits& l) {
  yaml_map m(parent.ctx(), parent.child("limits"), parent.key("limits"));
  m.bytes("max_message_bytes", l.max_message_bytes);
  m.bytes("max_header_bytes", l.max_header_bytes);
  m.duration("handshake_timeout", l.handshake_timeout);
  m.duration("read_timeout", l.read_timeout);
  m.duration("idle_timeout", l.idle_timeout);
  m.integer("max_connections", l.max_connections, 1, 100000);
  m.integer("max_connections_per_client", l.max_connections_per_facility, 1, 100000);
}

void read_address(yaml_map& m, config::listener& l) {
  m.text("address", l.address);
  // 0 (any free port) is allowed here, unlike the gateway's listeners.
  m.integer("port", l.port, 0, 65535, true);
}

void read_fhir_listener(yaml_map& root, stub_settings& s) {
  auto node = root.child("listen");
  yaml_map m(root.ctx(), node, "listen");
  if (!node.IsDefined()) {
    root.ctx().error(node, "listen", "required key is missing");
    return;
  }
  read_address(m, s.fhir);
  config::tls_settings tls;
  {
    auto tn = m.child("tls");
    yaml_map t(m.ctx(), tn, m.key("tls"));
    // Not checked for existence here: the certificates may be made after the settings are checked.
    t.path("certificate", tls.certificate, true);
    t.path("private_key", tls.private_key, true);
    if (t.has("ca"))
      t.path("ca", tls.ca, true);
    else
      m.ctx().error(tn, t.key("ca"), "required key is missing (clients are verified)");
    t.choice("min_version", tls.min_version, {"1.2", "1.3"}, "TLS version");
  }
  s.fhir.tls = tls;
  s.fhir.limits.max_connections = 256;
  s.fhir.limits.max_connections_per_facility = 64;
  s.fhir.limits.max_message_bytes = 64 * 1024 * 1024;
  read_limits(m, s.fhir.limits);
}

void read_faults(yaml_map& root, fault_settings& f) {
  auto node = root.child("faults");
  yaml_map m(root.ctx(), node, "faults");
  m.integer("seed", f.seed, 0, INT64_MAX);
  {
    yaml_map l(m.ctx(), m.child("latency"), m.key("latency"));
    l.duration("ms", f.latency);
    l.duration("jitter_ms", f.latency_jitter);
  }
  m.number("error_rate", f.error_rate, 0, 1);
  m.number("drop_after_write_rate", f.drop_after_write_rate, 0, 1);
  auto outages = m.child("outages");
  if (outages.IsDefined() && !outages.IsNull()) {
    if (!outages.IsSequence()) {
      m.ctx().error(outages, m.key("outages"), "wrong type: expected a list of {after, duration}");
    } else {
      for (std::size_t i = 0; i < outages.size(); ++i) {
        yaml_map o(m.ctx(), outages[i], m.key("outages") + "[" + std::to_string(i) + "]");
        outage_window w;
        o.duration("after", w.after);
        if (!o.duration("duration", w.duration) || w.duration.count() <= 0)
          m.ctx().error(outages[i], o.key("duration"), "a positive duration is required");
        f.outages.push_back(w);
      }
    }
  }
  {
    yaml_map r(m.ctx(), m.child("slow_read"), m.key("slow_read"));
    r.integer("bytes_per_second", f.slow_read_bytes_per_second, 0, INT64_MAX);
  }
  if (f.error_rate + f.drop_after_write_rate > 1)
    m.ctx().error(node, "faults", "error_rate + drop_after_write_rate must not exceed 1");
}

}  // namespace

settings_result load_settings(const fs::path& file) {
  settings_result out;
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    out.errors.push_back({file.string(), 0, "", "cannot read the file"});
    return out;
  } catch (const YAML::ParserException& e) {
    out.errors.push_back({file.string(), e.mark.line + 1, "", "not valid YAML: " + e.msg});
    return out;
  }
  stub_settings s;
  s.source_file = fs::absolute(file);
  yaml_context ctx{file.string(), s.source_file.parent_path(), &out.errors};
  {
    yaml_map root(ctx, doc, "");
    if (!doc.IsMap()) {
      out.errors.push_back({file.string(), 1, "", "expected a mapping of settings"});
      return out;
    }
    root.choice("log_level", s.log_level, config::log_levels, "log level");
    root.integer("io_threads", s.io_threads, 1, 64);
    read_fhir_listener(root, s);
    {
      auto node = root.child("admin");
      yaml_map m(ctx, node, "admin");
      s.admin.address = "127.0.0.1";
      s.admin.port = 9644;
      read_address(m, s.admin);
      if (s.admin.address != "127.0.0.1" && s.admin.address != "::1")
        ctx.error(m.child("address"), "admin.address", "the admin listener is for localhost only (127.0.0.1 or ::1)");
    }
    {
      auto node = root.child("clients");
      yaml_map m(ctx, node, "clients");
      m.text_list("subjects", s.clients.subjects);
      m.text_list("sha256_fingerprints", s.clients.sha256_fingerprints);
      for (auto& fp : s.clients.sha256_fingerprints) {
        fp.erase(std::remove(fp.begin(), fp.end(), ':'), fp.end());
        std::transform(fp.begin(), fp.end(), fp.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (fp.size() != 64 || fp.find_first_not_of("0123456789abcdef") != std::string::npos)
          ctx.error(m.child("sha256_fingerprints"), "clients.sha256_fingerprints", "a fingerprint is 64 hex digits");
      }
      if (s.clients.subjects.empty() && s.clients.sha256_fingerprints.empty())
        ctx.error(node, "clients", "list at least one accepted client certificate (subjects or sha256_fingerprints)");
    }
    {
      yaml_map m(ctx, root.child("database"), "database");
      m.text("dsn", s.database_dsn);
      m.integer("pool_size", s.pool_size, 1, 256);
      m.duration("connect_timeout", s.connect_timeout);
      m.duration("statement_timeout", s.statement_timeout);
    }
    {
      yaml_map m(ctx, root.child("checks"), "checks");
      m.text("cccd_system", s.cccd_system);
      m.text_list("record_number_systems", s.record_number_systems);
    }
    {
      yaml_map m(ctx, root.child("search"), "search");
      m.integer("max_count", s.max_search_count, 1, 100000);
    }
    read_faults(root, s.faults);
  }
  if (out.errors.empty()) out.settings = std::move(s);
  return out;
}

}  // namespace gw::stub
