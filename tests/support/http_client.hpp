#pragma once
// A minimal blocking HTTP/1.1 client over plain TCP for tests of the localhost admin listeners.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>
#include <set>
#include <string>

namespace gw::test {

struct http_answer {
  int status = 0;  ///< 0 when no answer (connection refused, timeout)
  std::string body;
};

/// One HTTP/1.1 exchange over plain TCP with a localhost listener (the gateway's or the stub's
/// admin API): `body` goes as JSON; the answer's status (0 when none came) and body.
inline http_answer http_call(std::uint16_t port, const std::string& method, const std::string& path,
                             const std::string& body = "") {
  http_answer a;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return a;
  timeval tv{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return a;
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  if (!body.empty() || method != "GET")
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return a;
  }
  std::string resp;
  char buf[16384];
  for (;;) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (resp.rfind("HTTP/1.1 ", 0) != 0 || resp.size() < 12) return a;
  a.status = std::stoi(resp.substr(9, 3));
  auto at = resp.find("\r\n\r\n");
  if (at != std::string::npos) a.body = resp.substr(at + 4);
  return a;
}

inline http_answer http_get(std::uint16_t port, const std::string& path) {
  return http_call(port, "GET", path);
}

/// A loopback TCP port nothing listens on right now, never the same one twice in a test program
/// (a gateway and a stub take several in a row: the kernel may hand a just-closed port out again).
inline std::uint16_t free_port() {
  static std::mutex m;
  static std::set<std::uint16_t> given;
  std::lock_guard lock(m);
  for (;;) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    const std::uint16_t port = ntohs(addr.sin_port);
    if (port != 0 && given.insert(port).second) return port;
  }
}

}  // namespace gw::test
