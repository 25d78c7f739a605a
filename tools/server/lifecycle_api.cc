// /-/healthy, /-/ready, /-/reload, /-/quit and /federate.
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "query/parser/parser.h"
#include "storage/api/appender.h"
#include "tools/server/status_api.h"

namespace promlet::tools {
namespace {

void Text(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_content(std::move(body), "text/plain; charset=utf-8");
}

}  // namespace

void RegisterLifecycleApi(httplib::Server* server, ServerContext* ctx) {
  auto healthy = [](const httplib::Request&, httplib::Response& res) {
    Text(res, 200, "promlet Server is Healthy.\n");
  };
  server->Get("/-/healthy", healthy);
  auto ready = [ctx](const httplib::Request&, httplib::Response& res) {
    if (ctx->ready.load(std::memory_order_acquire)) {
      Text(res, 200, "promlet Server is Ready.\n");
    } else {
      Text(res, 503, "Service Unavailable");
    }
  };
  server->Get("/-/ready", ready);

  // Like Prometheus: without --web.enable-lifecycle these answer 403.
  auto lifecycle_guard = [ctx](httplib::Response& res) {
    if (ctx->options.enable_lifecycle) return true;
    Text(res, 403, "Lifecycle API is not enabled.");
    return false;
  };
  auto reload = [ctx, lifecycle_guard](const httplib::Request&, httplib::Response& res) {
    if (!lifecycle_guard(res)) return;
    absl::Status s = ctx->reload();
    if (!s.ok()) {
      Text(res, 500, absl::StrCat("failed to reload config: ", s.message()));
      return;
    }
    Text(res, 200, "");
  };
  server->Post("/-/reload", reload);
  server->Put("/-/reload", reload);
  auto quit = [ctx, lifecycle_guard](const httplib::Request&, httplib::Response& res) {
    if (!lifecycle_guard(res)) return;
    Text(res, 200, "Requesting termination... Goodbye!");
    ctx->quit();
  };
  server->Post("/-/quit", quit);
  server->Put("/-/quit", quit);
}

void RegisterFederateApi(httplib::Server* server, ServerContext* ctx) {
  server->Get("/federate", [ctx](const httplib::Request& req, httplib::Response& res) {
    const size_t n = req.get_param_value_count("match[]");
    if (n == 0) {
      Text(res, 400, "no match[] parameter provided\n");
      return;
    }
    std::vector<storage::Matchers> sets;
    for (size_t i = 0; i < n; ++i) {
      auto m = query::ParseMetricSelector(req.get_param_value("match[]", i));
      if (!m.ok()) {
        Text(res, 400, std::string(m.status().message()) + "\n");
        return;
      }
      sets.push_back(*std::move(m));
    }
    // The latest sample of each series within the lookback window, like an
    // instant query at now; stale series are left out.
    const int64_t now_ms = absl::ToUnixMillis(absl::Now());
    const int64_t lookback_ms = 5 * 60 * 1000;
    auto querier = ctx->db->NewQuerier();
    if (!querier.ok()) {
      Text(res, 500, std::string(querier.status().message()) + "\n");
      return;
    }
    std::map<storage::Labels, storage::Sample> latest;
    for (const storage::Matchers& ms : sets) {
      auto set = (*querier)->Select(now_ms - lookback_ms + 1, now_ms, ms);
      while (set->Next()) {
        const storage::Series& s = set->At();
        auto it = s.NewIterator();
        bool have = false;
        storage::Sample last;
        while (it->Next()) {
          storage::Sample x = it->At();
          if (x.t_ms > now_ms) break;
          last = x;
          have = true;
        }
        if (have && !storage::IsStaleNaN(last.value)) latest[s.labels()] = last;
      }
      if (!set->status().ok()) {
        Text(res, 500, std::string(set->status().message()) + "\n");
        return;
      }
    }
    // Grouped by metric name, each group under "# TYPE <name> untyped";
    // external labels added where the series lacks them.
    std::string out;
    std::string_view current;
    for (const auto& [labels, sample] : latest) {
      storage::LabelsBuilder b(labels);
      for (storage::Label l : ctx->external_labels) {
        if (!labels.Has(l.name)) b.Set(l.name, l.value);
      }
      storage::Labels full = b.Build();
      std::string_view name = labels.MetricName();
      if (name != current) {
        absl::StrAppend(&out, "# TYPE ", std::string(name), " untyped\n");
        current = name;
      }
      out.append(name);
      out.push_back('{');
      bool first = true;
      for (storage::Label l : full) {
        if (l.name == storage::kMetricName) continue;
        if (!first) out.push_back(',');
        first = false;
        out.append(l.name).append("=\"");
        for (char c : l.value) {
          if (c == '\\') out.append("\\\\");
          else if (c == '"') out.append("\\\"");
          else if (c == '\n') out.append("\\n");
          else out.push_back(c);
        }
        out.push_back('"');
      }
      out.append("} ");
      AppendMetricValue(&out, sample.value);
      absl::StrAppend(&out, " ", sample.t_ms, "\n");
    }
    res.set_content(out, "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace promlet::tools
