// The emr-gateway command line as an operator uses it.
#include <gtest/gtest.h>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::test {
namespace {

std::string run_capture(const std::string& cmd, int& rc) {
  temp_dir d("cli");
  auto out = d / "out.txt";
  rc = run_command(cmd + " >" + out.string() + " 2>&1");
  return read_file(out);
}

TEST(cli, check_config_accepts_the_shipped_configuration) {
  temp_dir certs("certs");
  for (auto f : {"gateway.crt", "gateway.key", "ca.crt"}) write_file(certs / f, "x");
  int rc = -1;
  auto out = run_capture("GW_CERT_DIR=" + certs.path().string() + " " GW_GATEWAY_BIN
                         " check-config " GW_SOURCE_DIR "/config/gateway.yaml", rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("is valid (23 facilities)"), std::string::npos) << out;
}

TEST(cli, check_config_lists_every_mistake_and_fails) {
  temp_dir d("bad");
  write_file(d / "gateway.yaml",
             "facilities_dir: fac\nlisteners:\n  mllp: {enabled: false, port: 99999}\n"
             "  ingest: {enabled: false, port: 2}\n  api: {enabled: false, port: 3}\n"
             "  admin: {port: 4}\nwhatever: 1\n");
  write_file(d / "fac/42001.yaml",
             "code: \"42001\"\nname: x\nownership: public\nfeeds: [{format: fax, transport: https}]\n"
             "certificates: {subjects: [\"CN=a\"]}\n");
  int rc = -1;
  auto out = run_capture(GW_GATEWAY_BIN " check-config " + (d / "gateway.yaml").string(), rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("gateway.yaml:3: listeners.mllp.port: port out of range"), std::string::npos) << out;
  EXPECT_NE(out.find("gateway.yaml:7: whatever: unknown key"), std::string::npos) << out;
  EXPECT_NE(out.find("42001.yaml:4: feeds[0].format: unknown format 'fax'"), std::string::npos) << out;
  EXPECT_NE(out.find("3 mistakes found"), std::string::npos) << out;
}

TEST(cli, serve_refuses_to_start_with_a_broken_configuration) {
  temp_dir d("bad");
  write_file(d / "gateway.yaml", "listeners: 5\n");
  int rc = -1;
  auto out = run_capture(GW_GATEWAY_BIN " serve --config " + (d / "gateway.yaml").string(), rc);
  EXPECT_EQ(rc, 2) << out;
  EXPECT_NE(out.find("nothing started"), std::string::npos) << out;
}

TEST(cli, unknown_command_is_explained) {
  int rc = -1;
  auto out = run_capture(GW_GATEWAY_BIN " frobnicate", rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("unknown command 'frobnicate'"), std::string::npos) << out;
  EXPECT_NE(out.find("check-config"), std::string::npos);
}

}  // namespace
}  // namespace gw::test
