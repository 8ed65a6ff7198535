#include "adapters/hl7v2/mllp.hpp"

#include <algorithm>

namespace gw::hl7v2 {

void mllp_decoder::skip(std::size_t n) {
  if (n == 0) return;
  skipped_total_ += n;
  // One event per run of bytes between frames, even when the run spans several reads.
  if (skip_run_open_ && !events_.empty() && events_.back().what == mllp_event::kind::skipped_bytes)
    events_.back().bytes += n;
  else
    events_.push_back({mllp_event::kind::skipped_bytes, n});
  skip_run_open_ = true;
}

void mllp_decoder::finish_frame() {
  frames_.push_back(std::move(buf_));
  buf_ = std::string();
  state_ = state::idle;
}

void mllp_decoder::push(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size() && !failed()) {
    switch (state_) {
      case state::idle: {
        std::size_t vt = bytes.find(mllp_start, i);
        if (vt == std::string_view::npos) {
          skip(bytes.size() - i);
          return;
        }
        skip(vt - i);
        skip_run_open_ = false;
        i = vt + 1;
        state_ = state::in_frame;
        buf_.clear();
        break;
      }
      case state::in_frame: {
        auto begin = bytes.begin() + static_cast<std::ptrdiff_t>(i);
        auto stop = std::find_if(begin, bytes.end(), [](char c) { return c == mllp_end || c == mllp_start; });
        std::size_t n = static_cast<std::size_t>(stop - begin);
        if (buf_.size() + n > s_.max_frame_bytes) {
          error_ = "MLLP frame larger than " + std::to_string(s_.max_frame_bytes) + " bytes";
          head_ = buf_.substr(0, failed_head_bytes);
          head_.append(bytes.substr(i, std::min(n, failed_head_bytes - head_.size())));
          buf_ = std::string();
          state_ = state::idle;
          return;
        }
        buf_.append(bytes.substr(i, n));
        i += n;
        if (i == bytes.size()) return;
        if (bytes[i] == mllp_start) {
          // A new start inside a frame: the sender gave up on the previous one.
          events_.push_back({mllp_event::kind::frame_restarted, buf_.size()});
          buf_.clear();
          ++i;
        } else {
          // The frame is complete at FS: a sender that never sends the CR still gets its answer.
          ++i;
          finish_frame();
          state_ = state::after_end;
        }
        break;
      }
      case state::after_end:
        // The CR that should follow FS belongs to the frame just taken.
        if (bytes[i] == mllp_cr)
          ++i;
        else
          events_.push_back({mllp_event::kind::missing_cr, 0});
        state_ = state::idle;
        break;
    }
  }
}

std::optional<std::string> mllp_decoder::next_frame() {
  if (frames_.empty()) return std::nullopt;
  std::string f = std::move(frames_.front());
  frames_.pop_front();
  return f;
}

std::vector<mllp_event> mllp_decoder::take_events() {
  std::vector<mllp_event> out;
  out.swap(events_);
  return out;
}

void mllp_encode_to(std::string& out, std::string_view message) {
  out.reserve(out.size() + message.size() + 3);
  out += mllp_start;
  out += message;
  out += mllp_end;
  out += mllp_cr;
}

std::string mllp_encode(std::string_view message) {
  std::string out;
  mllp_encode_to(out, message);
  return out;
}

}  // namespace gw::hl7v2
