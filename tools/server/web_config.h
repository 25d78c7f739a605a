// --web.config.file in the Prometheus exporter-toolkit format:
//
//   tls_server_config:
//     cert_file: server.crt
//     key_file: server.key
//   basic_auth_users:
//     alice: $2y$10$...        # bcrypt hash
//
// Relative paths are resolved against the config file's directory, like
// exporter-toolkit. Unknown fields are errors with line and column.
#ifndef PROMLET_TOOLS_SERVER_WEB_CONFIG_H_
#define PROMLET_TOOLS_SERVER_WEB_CONFIG_H_

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace promlet::tools {

struct WebConfig {
  std::string tls_cert_file;  // both empty: plain HTTP
  std::string tls_key_file;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash

  bool tls_enabled() const { return !tls_cert_file.empty(); }
  bool auth_enabled() const { return !basic_auth_users.empty(); }
};

absl::StatusOr<WebConfig> LoadWebConfig(const std::string& path);
absl::StatusOr<WebConfig> ParseWebConfig(std::string_view yaml, const std::string& base_dir);

// Checks HTTP basic-auth credentials against bcrypt hashes. bcrypt is slow
// on purpose (~tens of ms), so verified (user, password) pairs are cached by
// a hash of the pair, like exporter-toolkit. Thread-safe.
class BasicAuthChecker {
 public:
  explicit BasicAuthChecker(std::map<std::string, std::string> users) : users_(std::move(users)) {}
  // `authorization` is the raw Authorization header value.
  bool Check(std::string_view authorization);

 private:
  const std::map<std::string, std::string> users_;
  absl::Mutex mu_;
  std::map<std::string, bool> cache_ ABSL_GUARDED_BY(mu_);
};

// bcrypt via libcrypt; true when password matches hash ($2a$, $2b$, $2y$).
bool VerifyBcrypt(const std::string& password, const std::string& hash);

}  // namespace promlet::tools

#endif  // PROMLET_TOOLS_SERVER_WEB_CONFIG_H_
