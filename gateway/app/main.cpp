// emr-gateway: the gateway executable and its operator subcommands.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "gateway/app/commands.hpp"

namespace {

constexpr const char* k_usage = R"(emr-gateway: FHIR gateway for the province's hospital records

usage: emr-gateway <command> [options]

commands:
  serve [--config FILE]          run the gateway (listeners, store, forwarder) in the foreground
  check-config [FILE]            validate the configuration without binding or connecting;
                                 prints every mistake with file, line and key; exit 0 when valid
  translate (--format hl7v2|qd130 | --facility CODE) FILE
                                 translate one file to a FHIR Bundle and print it with its
                                 issues; no database or network; exit 1 when there are errors
  replay --facility CODE [--since TIME] [--outcome rejected]
                                 re-translate stored messages with today's mappings and record
                                 the new outcome (idempotent; audited)
  dead-letters list [--facility CODE] | retry (SEQ... | --all) | drop SEQ...
                                 outbox rows the national database refused or that ran
                                 out of attempts: list, send again, or drop (audited)
  version                        print the version
  help, --help                   this text

FILE defaults to config/gateway.yaml. Environment: GW_DATABASE_URL, GW_CERT_DIR and the other
${NAME} references in the configuration.
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(k_usage, stderr);
    return 2;
  }
  std::string_view cmd = argv[1];
  gw::app::args rest(argv + 2, argv + argc);
  if (cmd == "serve") return gw::app::cmd_serve(rest);
  if (cmd == "check-config") return gw::app::cmd_check_config(rest);
  if (cmd == "replay") return gw::app::cmd_replay(rest);
  if (cmd == "dead-letters") return gw::app::cmd_dead_letters(rest);
  if (cmd == "translate") return gw::app::cmd_translate(rest);
  if (cmd == "version" || cmd == "--version") return gw::app::cmd_version(rest);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    std::fputs(k_usage, stdout);
    return 0;
  }
  std::fprintf(stderr, "emr-gateway: unknown command '%s'\n\n%s", argv[1], k_usage);
  return 2;
}
