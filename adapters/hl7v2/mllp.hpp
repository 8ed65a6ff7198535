#pragma once
/// MLLP framing (`<VT> message <FS><CR>`) without I/O: push the bytes read from a connection,
/// take out complete frames; encode a message into a frame.
///
/// The decoder keeps at most one partial frame (capped by `mllp_settings::max_frame_bytes`) plus
/// the complete frames of the bytes pushed and not yet taken. Bytes outside a frame are skipped
/// and reported as events; a frame larger than the limit puts the decoder in a failed state with
/// a reason (the connection should answer nothing more and be closed). Not thread-safe: one
/// decoder per connection.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::hl7v2 {

inline constexpr char mllp_start = '\x0B';  ///< VT
inline constexpr char mllp_end = '\x1C';    ///< FS
inline constexpr char mllp_cr = '\x0D';     ///< CR after FS

struct mllp_settings {
  std::size_t max_frame_bytes = 8 * 1024 * 1024;  ///< message bytes between VT and FS
};

/// Something the decoder noticed and handled (for logs and metrics; never patient data).
struct mllp_event {
  enum class kind : std::uint8_t {
    skipped_bytes,    ///< `bytes` bytes outside a frame (before a VT) were dropped
    frame_restarted,  ///< a VT inside a frame: the `bytes` bytes received so far were dropped
    missing_cr,       ///< FS followed by another byte than CR (the frame was complete at FS)
  };
  kind what;
  std::size_t bytes;
};

class mllp_decoder {
 public:
  explicit mllp_decoder(const mllp_settings& s = {}) : s_(s) {}

  /// Feeds bytes as read from the connection (any split). Ignored once failed().
  void push(std::string_view bytes);
  /// The oldest complete frame not yet taken (the message without VT, FS, CR).
  std::optional<std::string> next_frame();
  /// Complete frames waiting.
  std::size_t frames_ready() const { return frames_.size(); }

  /// True after a frame exceeded the limit; `error()` says why.
  bool failed() const { return !error_.empty(); }
  std::string_view error() const { return error_; }
  /// After failed(): the first bytes (at most `failed_head_bytes`) of the frame that was too
  /// large, so that the answer can still be addressed from its MSH.
  std::string_view failed_head() const { return head_; }
  static constexpr std::size_t failed_head_bytes = 4096;
  /// True while a frame has started and not ended (a connection closed now truncates it).
  bool in_frame() const { return state_ == state::in_frame; }
  /// Bytes of the partial frame held.
  std::size_t buffered_bytes() const { return buf_.size(); }

  /// Events since the last call, oldest first.
  std::vector<mllp_event> take_events();
  /// Total bytes skipped outside frames since construction.
  std::size_t skipped_total() const { return skipped_total_; }

 private:
  enum class state : std::uint8_t { idle, in_frame, after_end };
  void skip(std::size_t n);
  void finish_frame();

  mllp_settings s_;
  state state_ = state::idle;
  std::string buf_;
  std::deque<std::string> frames_;
  std::vector<mllp_event> events_;
  std::string error_;
  std::string head_;
  std::size_t skipped_total_ = 0;
  bool skip_run_open_ = false;
};

/// `<VT> message <FS><CR>`.
std::string mllp_encode(std::string_view message);
/// Appends the frame of `message` to `out`.
void mllp_encode_to(std::string& out, std::string_view message);

}  // namespace gw::hl7v2
