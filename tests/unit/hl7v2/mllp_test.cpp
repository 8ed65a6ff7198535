#include "adapters/hl7v2/mllp.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gw::hl7v2 {
namespace {

std::vector<std::string> drain(mllp_decoder& d) {
  std::vector<std::string> out;
  while (auto f = d.next_frame()) out.push_back(std::move(*f));
  return out;
}

TEST(Hl7Mllp, EncodeDecode) {
  std::string frame = mllp_encode("MSH|x\rPID|1\r");
  EXPECT_EQ(frame, "\x0BMSH|x\rPID|1\r\x1C\r");
  mllp_decoder d;
  d.push(frame);
  auto frames = drain(d);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], "MSH|x\rPID|1\r");
  EXPECT_FALSE(d.in_frame());
  EXPECT_TRUE(d.take_events().empty());
}

TEST(Hl7Mllp, SplitAtEveryByte) {
  std::string stream = mllp_encode("first") + mllp_encode("second message") + mllp_encode("");
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    mllp_decoder d;
    d.push(std::string_view(stream).substr(0, cut));
    d.push(std::string_view(stream).substr(cut));
    auto frames = drain(d);
    ASSERT_EQ(frames.size(), 3u) << cut;
    EXPECT_EQ(frames[0], "first");
    EXPECT_EQ(frames[1], "second message");
    EXPECT_EQ(frames[2], "");
  }
  mllp_decoder d;
  for (char c : stream) d.push(std::string_view(&c, 1));
  EXPECT_EQ(drain(d).size(), 3u);
}

TEST(Hl7Mllp, BytesBeforeStartAreSkippedAndReported) {
  mllp_decoder d;
  d.push("garbage\r\n");
  d.push("more" + mllp_encode("msg") + "\n");
  auto frames = drain(d);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], "msg");
  auto ev = d.take_events();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].what, mllp_event::kind::skipped_bytes);
  EXPECT_EQ(ev[0].bytes, 13u);
  EXPECT_EQ(ev[1].bytes, 1u);
  EXPECT_EQ(d.skipped_total(), 14u);
}

TEST(Hl7Mllp, RestartAndMissingCr) {
  mllp_decoder d;
  d.push(
      "\x0B"
      "partial\x0B"
      "whole\x1C"
      "X\x0B"
      "next\x1C\r");
  auto frames = drain(d);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], "whole");
  EXPECT_EQ(frames[1], "next");
  auto ev = d.take_events();
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].what, mllp_event::kind::frame_restarted);
  EXPECT_EQ(ev[0].bytes, 7u);
  EXPECT_EQ(ev[1].what, mllp_event::kind::missing_cr);
  EXPECT_EQ(ev[2].what, mllp_event::kind::skipped_bytes);
}

TEST(Hl7Mllp, FrameIsCompleteAtFsEvenWhenTheCrNeverComes) {
  mllp_decoder d;
  d.push("\x0BMSH|whole\x1C");  // a sender that ends frames without the CR, then waits
  EXPECT_EQ(d.frames_ready(), 1u);
  EXPECT_FALSE(d.in_frame());  // closing the connection now truncates nothing
  EXPECT_EQ(d.next_frame(), "MSH|whole");
  d.push("\r");  // the late CR belongs to that frame: nothing skipped, no event
  EXPECT_TRUE(d.take_events().empty());
  EXPECT_EQ(d.skipped_total(), 0u);
  d.push("\x0Bnext\x1C\x0Bthird\x1C\r");  // FS then VT: the CR is missing, both frames kept
  EXPECT_EQ(drain(d), (std::vector<std::string>{"next", "third"}));
  auto ev = d.take_events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].what, mllp_event::kind::missing_cr);
}

TEST(Hl7Mllp, OversizeFrameFails) {
  mllp_settings s;
  s.max_frame_bytes = 100;
  mllp_decoder d(s);
  d.push(mllp_encode(std::string(100, 'a')));
  EXPECT_EQ(drain(d).size(), 1u);
  EXPECT_FALSE(d.failed());
  d.push("\x0B");
  for (int i = 0; i < 10; ++i) d.push(std::string(20, 'b'));
  EXPECT_TRUE(d.failed());
  EXPECT_NE(d.error().find("100"), std::string_view::npos);
  EXPECT_EQ(d.buffered_bytes(), 0u);
  d.push(mllp_encode("later"));
  EXPECT_TRUE(drain(d).empty());
}

TEST(Hl7Mllp, PartialFrameIsVisible) {
  mllp_decoder d;
  d.push("\x0BMSH|");
  EXPECT_TRUE(d.in_frame());
  EXPECT_EQ(d.buffered_bytes(), 4u);
  EXPECT_EQ(d.frames_ready(), 0u);
  d.push("\x1C");  // complete at FS
  EXPECT_FALSE(d.in_frame());
  EXPECT_EQ(d.frames_ready(), 1u);
  d.push("\r");
  EXPECT_FALSE(d.in_frame());
  EXPECT_EQ(d.frames_ready(), 1u);
}

}  // namespace
}  // namespace gw::hl7v2
