#include "tools/server/web_config.h"

#include <crypt.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "yaml-cpp/yaml.h"

namespace promlet::tools {
namespace {

std::string Where(const YAML::Node& n) {
  return absl::StrCat("line ", n.Mark().line + 1, ", column ", n.Mark().column + 1);
}

// Cache key for a verified credential: a digest, so plaintext passwords are
// never kept in memory.
std::string CredentialDigest(const std::string& user_colon_password, const std::string& hash) {
  std::string in = user_colon_password + '\0' + hash;
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(in.data()), in.size(), md);
  return std::string(reinterpret_cast<const char*>(md), sizeof(md));
}

std::string Resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || p[0] == '/' || base_dir.empty()) return p;
  return base_dir + "/" + p;
}

}  // namespace

absl::StatusOr<WebConfig> ParseWebConfig(std::string_view yaml, const std::string& base_dir) {
  WebConfig cfg;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("line ", e.mark.line + 1, ", column ",
                                                   e.mark.column + 1, ": ", e.msg));
  }
  if (root.IsNull()) return cfg;
  if (!root.IsMap()) return absl::InvalidArgumentError(Where(root) + ": web config must be a map");
  try {
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (key == "tls_server_config") {
        if (v.IsNull()) continue;
        for (const auto& t : v) {
          const std::string tk = t.first.as<std::string>();
          if (tk == "cert_file") cfg.tls_cert_file = Resolve(base_dir, t.second.as<std::string>());
          else if (tk == "key_file") cfg.tls_key_file = Resolve(base_dir, t.second.as<std::string>());
          else if (tk == "client_auth_type" || tk == "client_ca_file" || tk == "min_version" ||
                   tk == "max_version" || tk == "cipher_suites" || tk == "curve_preferences" ||
                   tk == "prefer_server_cipher_suites" || tk == "cert" || tk == "key" ||
                   tk == "client_allowed_sans") {
            return absl::InvalidArgumentError(absl::StrCat(
                Where(t.first), ": tls_server_config field \"", tk, "\" is not supported by promlet yet"));
          } else {
            return absl::InvalidArgumentError(absl::StrCat(
                Where(t.first), ": field ", tk, " not found in type web.TLSConfig"));
          }
        }
      } else if (key == "basic_auth_users") {
        if (v.IsNull()) continue;
        for (const auto& u : v) {
          cfg.basic_auth_users[u.first.as<std::string>()] = u.second.as<std::string>();
        }
      } else if (key == "http_server_config") {
        return absl::InvalidArgumentError(
            absl::StrCat(Where(kv.first), ": http_server_config is not supported by promlet yet"));
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat(Where(kv.first), ": field ", key, " not found in type web.Config"));
      }
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("line ", e.mark.line + 1, ", column ",
                                                   e.mark.column + 1, ": ", e.msg));
  }
  if (cfg.tls_cert_file.empty() != cfg.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "tls_server_config needs both cert_file and key_file");
  }
  for (const auto& [user, hash] : cfg.basic_auth_users) {
    if (!absl::StartsWith(hash, "$2")) {
      return absl::InvalidArgumentError(
          absl::StrCat("basic_auth_users: password of user \"", user, "\" is not a bcrypt hash"));
    }
  }
  return cfg;
}

absl::StatusOr<WebConfig> LoadWebConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("web config ", path, ": cannot open"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string dir;
  if (size_t slash = path.rfind('/'); slash != std::string::npos) dir = path.substr(0, slash);
  absl::StatusOr<WebConfig> cfg = ParseWebConfig(ss.str(), dir);
  if (!cfg.ok()) {
    return absl::Status(cfg.status().code(), absl::StrCat("web config ", path, ": ", cfg.status().message()));
  }
  return cfg;
}

bool VerifyBcrypt(const std::string& password, const std::string& hash) {
  struct crypt_data data;
  data.initialized = 0;
  const char* out = crypt_r(password.c_str(), hash.c_str(), &data);
  if (out == nullptr || out[0] == '*') return false;
  // Constant-time compare: the hash is public but be careful anyway.
  std::string_view got(out);
  if (got.size() != hash.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < got.size(); ++i) diff |= got[i] ^ hash[i];
  return diff == 0;
}

bool BasicAuthChecker::Check(std::string_view authorization) {
  if (!absl::StartsWith(absl::string_view(authorization.data(), authorization.size()), "Basic ")) {
    return false;
  }
  std::string decoded;
  if (!absl::Base64Unescape(absl::string_view(authorization.data() + 6, authorization.size() - 6),
                            &decoded)) {
    return false;
  }
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  std::string user = decoded.substr(0, colon), password = decoded.substr(colon + 1);
  auto it = users_.find(user);
  if (it == users_.end()) {
    // Spend bcrypt time anyway so unknown users can't be told apart by timing.
    VerifyBcrypt(password, "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi");
    return false;
  }
  const std::string key = CredentialDigest(decoded, it->second);
  {
    absl::MutexLock lock(&mu_);
    auto c = cache_.find(key);
    if (c != cache_.end()) return c->second;
  }
  bool ok = VerifyBcrypt(password, it->second);
  absl::MutexLock lock(&mu_);
  if (cache_.size() > 1000) cache_.clear();
  cache_[key] = ok;
  return ok;
}

}  // namespace promlet::tools
