#pragma once
// A blocking TLS client on plain OpenSSL for tests of the TLS listeners: connect with or without
// a client certificate and with a chosen TLS version range, send raw bytes, read MLLP frames or
// HTTP/1.1 answers, see how the server ended the connection. Every wait has a deadline.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace gw::test {

struct tls_client_options {
  std::filesystem::path ca;    ///< trusted for the server certificate
  std::filesystem::path cert;  ///< client certificate (empty: none)
  std::filesystem::path key;
  int min_version = 0;  ///< e.g. TLS1_2_VERSION; 0 = library default
  int max_version = 0;
  bool legacy = false;  ///< security level 0, so an old protocol is really offered
};

/// How a read ended.
enum class read_end { data, closed, tls_error, timeout };

struct http_answer_tls {
  int status = 0;                              ///< 0 when no complete answer arrived
  std::map<std::string, std::string> headers;  ///< names in lower case
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class tls_client {
 public:
  using ms = std::chrono::milliseconds;

  /// Connects to 127.0.0.1:`port` and runs the TLS handshake; `connected()` says whether it
  /// succeeded (with TLS 1.3 the server may still refuse the client certificate afterwards).
  tls_client(std::uint16_t port, const tls_client_options& o) {
    ::signal(SIGPIPE, SIG_IGN);
    ctx_ = ::SSL_CTX_new(::TLS_client_method());
    if (o.legacy) {
      ::SSL_CTX_set_security_level(ctx_, 0);
      ::SSL_CTX_set_cipher_list(ctx_, "ALL:@SECLEVEL=0");
    }
    if (o.min_version) ::SSL_CTX_set_min_proto_version(ctx_, o.min_version);
    if (o.max_version) ::SSL_CTX_set_max_proto_version(ctx_, o.max_version);
    ::SSL_CTX_load_verify_locations(ctx_, o.ca.c_str(), nullptr);
    ::SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (!o.cert.empty()) {
      ::SSL_CTX_use_certificate_chain_file(ctx_, o.cert.c_str());
      ::SSL_CTX_use_PrivateKey_file(ctx_, o.key.c_str(), SSL_FILETYPE_PEM);
    }
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      error_ = "connect failed";
      return;
    }
    tcp_connected_ = true;
    timeval tv{10, 0};  // a handshake that hangs fails the test instead of the suite
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssl_ = ::SSL_new(ctx_);
    ::SSL_set_fd(ssl_, fd_);
    ::SSL_set1_host(ssl_, "localhost");
    ::ERR_clear_error();
    if (::SSL_connect(ssl_) == 1) {
      connected_ = true;
    } else {
      record_error();
    }
  }
  ~tls_client() {
    if (ssl_) ::SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
    if (ctx_) ::SSL_CTX_free(ctx_);
  }
  tls_client(const tls_client&) = delete;
  tls_client& operator=(const tls_client&) = delete;

  bool tcp_connected() const { return tcp_connected_; }
  bool connected() const { return connected_; }
  /// OpenSSL's text for the last failure (empty when none).
  const std::string& error() const { return error_; }
  /// OpenSSL reason code of the last TLS failure (e.g. SSL_R_TLSV1_ALERT_UNKNOWN_CA), 0 when none.
  int error_reason() const { return reason_; }
  /// The negotiated protocol, e.g. "TLSv1.3".
  std::string protocol() const { return ssl_ ? ::SSL_get_version(ssl_) : ""; }

  /// Sends all of `bytes` as one TLS record write; false when the connection is gone.
  bool send(std::string_view bytes) {
    if (!connected_) return false;
    ::ERR_clear_error();
    std::size_t written = 0;
    int r = ::SSL_write_ex(ssl_, bytes.data(), bytes.size(), &written);
    if (r != 1) record_error();
    return r == 1;
  }

  /// The next MLLP frame's content (without VT, FS, CR), or nothing; `last_end()` says why not.
  std::optional<std::string> read_mllp(ms timeout = ms(10'000)) {
    auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto start = inbox_.find('\x0b');
      if (start != std::string::npos) {
        auto end = inbox_.find("\x1c\x0d", start);
        if (end != std::string::npos) {
          std::string frame = inbox_.substr(start + 1, end - start - 1);
          inbox_.erase(0, end + 2);
          return frame;
        }
      }
      if (!fill(until)) return std::nullopt;
    }
  }

  /// Sends one HTTP/1.1 request and reads the answer (Content-Length framed).
  http_answer_tls http(const std::string& method, const std::string& target, const std::string& content_type,
                       const std::string& body, const std::string& extra_headers = "", ms timeout = ms(10'000)) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!content_type.empty()) req += "Content-Type: " + content_type + "\r\n";
    if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += extra_headers + "\r\n" + body;
    if (!send(req)) return {};
    return read_http(timeout);
  }

  /// Reads one HTTP answer (status line, headers, Content-Length body).
  http_answer_tls read_http(ms timeout = ms(10'000)) {
    http_answer_tls a;
    auto until = std::chrono::steady_clock::now() + timeout;
    std::size_t head_end;
    while ((head_end = inbox_.find("\r\n\r\n")) == std::string::npos)
      if (!fill(until)) return a;
    std::string head = inbox_.substr(0, head_end);
    std::size_t pos = head.find("\r\n");
    std::string status_line = head.substr(0, pos);
    while (pos != std::string::npos) {
      std::size_t next = head.find("\r\n", pos + 2);
      std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        a.headers[name] = value;
      }
      pos = next;
    }
    std::size_t length = a.headers.count("content-length") ? std::stoul(a.headers["content-length"]) : 0;
    while (inbox_.size() < head_end + 4 + length)
      if (!fill(until)) return a;
    a.body = inbox_.substr(head_end + 4, length);
    inbox_.erase(0, head_end + 4 + length);
    if (status_line.size() >= 12) a.status = std::stoi(status_line.substr(9, 3));
    return a;
  }

  /// Waits until the server ends the connection (close, reset or TLS alert); false on timeout.
  /// Bytes that arrive meanwhile are kept for the read functions.
  bool wait_closed(ms timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (fill(until)) {}
    return end_ != read_end::timeout;
  }

  /// How the last read ended.
  read_end last_end() const { return end_; }
  /// Bytes received and not yet taken.
  const std::string& pending() const { return inbox_; }

 private:
  void record_error() {
    unsigned long e = ::ERR_peek_last_error();
    if (e != 0) {
      reason_ = ERR_GET_REASON(e);
      char buf[256];
      ::ERR_error_string_n(e, buf, sizeof buf);
      error_ = buf;
    } else if (error_.empty()) {
      error_ = "connection ended";
    }
  }

  /// Reads more into the inbox before `until`; false when nothing more will come (see end_).
  bool fill(std::chrono::steady_clock::time_point until) {
    if (!connected_) {
      end_ = read_end::tls_error;
      return false;
    }
    for (;;) {
      if (::SSL_pending(ssl_) == 0) {
        auto left = std::chrono::duration_cast<ms>(until - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
          end_ = read_end::timeout;
          return false;
        }
        pollfd p{fd_, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left));
        if (r == 0) {
          end_ = read_end::timeout;
          return false;
        }
      }
      char buf[16 * 1024];
      ::ERR_clear_error();
      errno = 0;
      int n = ::SSL_read(ssl_, buf, sizeof buf);
      if (n > 0) {
        inbox_.append(buf, static_cast<std::size_t>(n));
        end_ = read_end::data;
        return true;
      }
      int err = ::SSL_get_error(ssl_, n);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) continue;
      if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && ::ERR_peek_error() == 0)) {
        end_ = read_end::closed;
      } else {
        end_ = read_end::tls_error;
        record_error();
      }
      connected_ = false;
      return false;
    }
  }

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool tcp_connected_ = false;
  bool connected_ = false;
  std::string error_;
  int reason_ = 0;
  std::string inbox_;
  read_end end_ = read_end::data;
};

}  // namespace gw::test
