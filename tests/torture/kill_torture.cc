// kill -9 torture (format-spec/durability-process.md [T-001..T-004]): worker processes run
// random transactions against one database on a real file system and acknowledge each commit
// over a pipe before they start the next; this process kills them with SIGKILL, reopens the
// database and checks that every acknowledged commit is there and that the one in flight is there
// all or not at all.
//
// Three kinds of round, in this order:
//   1. sweep: for each sync mode (safe, batch, fast), one worker is killed just before its Nth
//      I/O operation (KillEnv), for N = 1, 2, ... until it finishes its transactions unkilled, so
//      every step of open, recovery and commit is interrupted once;
//   2. single: one worker, killed at a random moment (after a random number of acknowledgements
//      plus a random delay), in a random sync mode;
//   3. several: `--workers` workers at once on the same database, each killed at a random moment
//      or at a random I/O operation, so kills land while others wait for the lock or recover.
// After every round the checks of [T-002] run on a fresh handle. Exit status 0 when every check
// passed; otherwise 1, with the seed and the failure on stderr and the database kept.
//
// Usage: kill_torture [--kills N] [--seed S] [--workers W] [--dir PARENT] [--sweep MODES]
//   N: kills to reach (default 2000); S: seed (default from the clock, printed);
//   PARENT: where the database directory is made (default /dev/shm when writable, else /tmp);
//   MODES: the sync modes swept, "safe,batch,fast" (default) or a subset, or "none".
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kill_env.h"
#include "textdb/db.h"
#include "torture_model.h"

namespace textdb::torture {
namespace {

using Clock = std::chrono::steady_clock;

constexpr SyncMode kModes[] = {SyncMode::kSafe, SyncMode::kBatch, SyncMode::kFast};
const char* ModeName(SyncMode mode) {
  return mode == SyncMode::kSafe ? "safe" : mode == SyncMode::kBatch ? "batch" : "fast";
}

struct Config {
  long kills = 2000;
  std::uint64_t seed = 0;
  int workers = 3;
  std::string parent_dir;
  std::vector<SyncMode> sweep_modes = {SyncMode::kSafe, SyncMode::kBatch, SyncMode::kFast};
};

// How a worker of a round runs and when it dies.
struct WorkerPlan {
  int worker = 0;
  SyncMode mode = SyncMode::kSafe;
  long kill_at = 0;          // KillEnv: SIGKILL before this I/O operation; 0 = never
  long max_txns = 0;         // exits 0 after this many commits
  int kill_after_acks = -1;  // parent: SIGKILL after this many acknowledgements...
  long kill_delay_us = 0;    // ...plus this delay; -1 acks = never
};

// The child's side: opens the database and commits transactions c, c+1, ... of `plan.worker`,
// writing each one's number to `ack_fd` after Commit() returned OK and before the next begins.
// Exit codes: 0 done, 2 open failed, 3 a commit failed, 4 the pipe failed.
[[noreturn]] void RunWorker(const std::string& dir, std::uint64_t seed, const WorkerPlan& plan,
                            std::uint64_t first_txn, Model model, int ack_fd) {
  KillEnv env(Env::Default(), plan.kill_at);
  Options options;
  options.env = &env;
  options.sync = plan.mode;
  Result<std::unique_ptr<Database>> db = Database::Open(dir, options);
  if (!db.ok()) {
    std::fprintf(stderr, "worker %d: open: %s\n", plan.worker, db.status().ToString().c_str());
    ::_exit(2);
  }
  for (long i = 0; i < plan.max_txns; ++i) {
    const std::uint64_t t = first_txn + static_cast<std::uint64_t>(i);
    const Txn txn = GenerateTxn(seed, plan.worker, t, model);
    if (Status status = CommitTxn(db->get(), txn); !status.ok()) {
      std::fprintf(stderr, "worker %d: commit %llu: %s\n", plan.worker,
                   static_cast<unsigned long long>(t), status.ToString().c_str());
      ::_exit(3);
    }
    Apply(txn, &model);
    if (::write(ack_fd, &t, sizeof t) != static_cast<ssize_t>(sizeof t)) ::_exit(4);
  }
  db->reset();
  ::_exit(0);
}

class Torture {
 public:
  explicit Torture(Config config) : config_(std::move(config)), rng_(config_.seed) {}

  // Returns false (after printing why) on the first failed check.
  bool Run() {
    char tmpl[4096];
    std::snprintf(tmpl, sizeof tmpl, "%s/textdb-kill-XXXXXX", config_.parent_dir.c_str());
    if (::mkdtemp(tmpl) == nullptr) return Fail(fmt::format("mkdtemp {}", tmpl));
    dir_ = std::string(tmpl) + "/db";
    if (!Setup()) return false;
    next_txn_.assign(static_cast<std::size_t>(config_.workers), 0);
    const auto start = Clock::now();

    // 1. Every I/O operation in turn, per sync mode.
    for (SyncMode mode : config_.sweep_modes) {
      for (long n = 1;; ++n) {
        WorkerPlan plan{0, mode, n, 3, -1, 0};
        bool killed = false;
        if (!Round({plan}, &killed)) return false;
        if (!killed) {
          fmt::print("sweep {}: killed at each of {} I/O operations\n", ModeName(mode), n - 1);
          break;
        }
        if (n > 100000) return Fail("sweep never finished its transactions");
      }
    }
    const long sweep_kills = kills_;
    // 2 and 3: random moments, one worker and several, half of the remaining kills each.
    const long single_target = sweep_kills + (config_.kills - sweep_kills) / 2;
    while (kills_ < single_target) {
      bool killed = false;
      if (!Round({RandomPlan(0, /*allow_kill_env=*/false)}, &killed)) return false;
    }
    const long single_kills = kills_ - sweep_kills;
    while (kills_ < config_.kills) {
      std::vector<WorkerPlan> plans;
      for (int w = 0; w < config_.workers; ++w) plans.push_back(RandomPlan(w, true));
      bool killed = false;
      if (!Round(plans, &killed)) return false;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    fmt::print(
        "kill_torture: seed {}: {} kills ({} sweep, {} single worker, {} with {} workers) in "
        "{:.1f} s; {} rounds, {} acknowledged commits, {} in-flight commits found applied, "
        "{} found absent; all checks passed\n",
        config_.seed, kills_, sweep_kills, single_kills, kills_ - sweep_kills - single_kills,
        config_.workers, seconds, rounds_, acked_, inflight_applied_, inflight_absent_);
    std::filesystem::remove_all(std::filesystem::path(dir_).parent_path());
    return true;
  }

 private:
  bool Fail(const std::string& what) {
    std::fprintf(stderr, "kill_torture: FAILED (seed %llu, round %ld, database kept in %s): %s\n",
                 static_cast<unsigned long long>(config_.seed), rounds_, dir_.c_str(),
                 what.c_str());
    return false;
  }

  bool Setup() {
    if (Status status = Database::Create(dir_); !status.ok()) return Fail(status.ToString());
    Result<std::unique_ptr<Database>> db = Database::Open(dir_, Options{});
    if (!db.ok()) return Fail(db.status().ToString());
    for (const char* schema : {kAlphaSchema, kBetaSchema}) {
      if (Status status = (*db)->CreateTable(schema); !status.ok()) {
        return Fail(status.ToString());
      }
    }
    return true;
  }

  WorkerPlan RandomPlan(int worker, bool allow_kill_env) {
    WorkerPlan plan;
    plan.worker = worker;
    plan.mode = kModes[rng_() % 3];
    plan.max_txns = 100000;
    if (allow_kill_env && rng_() % 3 == 0) {
      plan.kill_at = 1 + static_cast<long>(rng_() % 300);
    } else {
      plan.kill_after_acks = static_cast<int>(rng_() % 5);
      plan.kill_delay_us = static_cast<long>(rng_() % 4000);
    }
    return plan;
  }

  struct Running {
    WorkerPlan plan;
    pid_t pid = -1;
    int fd = -1;
    std::vector<std::uint64_t> acks;
    std::optional<Clock::time_point> kill_time;
    bool open = true;  // pipe not at end-of-file yet
    int wait_status = 0;
  };

  // Runs the workers of `plans` until each has died or finished, then checks the database.
  // *killed: some worker died of SIGKILL.
  bool Round(const std::vector<WorkerPlan>& plans, bool* killed) {
    ++rounds_;
    std::vector<Running> running(plans.size());
    for (std::size_t i = 0; i < plans.size(); ++i) {
      Running& r = running[i];
      r.plan = plans[i];
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) != 0) return Fail("pipe");
      std::fflush(nullptr);
      r.pid = ::fork();
      if (r.pid < 0) return Fail("fork");
      if (r.pid == 0) {
        ::close(fds[0]);
        RunWorker(dir_, config_.seed, r.plan, next_txn_[static_cast<std::size_t>(r.plan.worker)],
                  model_, fds[1]);
      }
      ::close(fds[1]);
      r.fd = fds[0];
      if (r.plan.kill_after_acks == 0) {
        r.kill_time = Clock::now() + std::chrono::microseconds(r.plan.kill_delay_us);
      }
    }
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (true) {
      std::vector<pollfd> polls;
      std::vector<Running*> polled;
      for (Running& r : running) {
        if (!r.open) continue;
        polls.push_back(pollfd{r.fd, POLLIN, 0});
        polled.push_back(&r);
      }
      if (polls.empty()) break;
      if (Clock::now() > deadline) {
        for (Running& r : running) ::kill(r.pid, SIGKILL);
        return Fail("a round took over 60 s: a worker hangs");
      }
      // Wake up in time for the nearest planned kill.
      int timeout_ms = 100;
      for (Running* r : polled) {
        if (r->kill_time) {
          const auto left =
              std::chrono::duration_cast<std::chrono::milliseconds>(*r->kill_time - Clock::now());
          timeout_ms = std::max(0, std::min<int>(timeout_ms, static_cast<int>(left.count())));
        }
      }
      if (::poll(polls.data(), polls.size(), timeout_ms) < 0 && errno != EINTR) {
        return Fail("poll");
      }
      for (std::size_t i = 0; i < polls.size(); ++i) {
        Running& r = *polled[i];
        if (polls[i].revents != 0) {
          std::uint64_t t = 0;
          const ssize_t n = ::read(r.fd, &t, sizeof t);
          if (n == static_cast<ssize_t>(sizeof t)) {
            r.acks.push_back(t);
            if (static_cast<int>(r.acks.size()) == r.plan.kill_after_acks) {
              r.kill_time = Clock::now() + std::chrono::microseconds(r.plan.kill_delay_us);
            }
          } else if (n == 0) {
            r.open = false;
          } else if (!(n < 0 && errno == EINTR)) {
            return Fail(fmt::format("short read of an acknowledgement ({} bytes)", n));
          }
        }
        if (r.open && r.kill_time && Clock::now() >= *r.kill_time) {
          ::kill(r.pid, SIGKILL);
          r.kill_time.reset();
        }
      }
    }
    *killed = false;
    for (Running& r : running) {
      ::close(r.fd);
      if (::waitpid(r.pid, &r.wait_status, 0) != r.pid) return Fail("waitpid");
      if (WIFSIGNALED(r.wait_status) && WTERMSIG(r.wait_status) == SIGKILL) {
        ++kills_;
        *killed = true;
      } else if (!WIFEXITED(r.wait_status) || WEXITSTATUS(r.wait_status) != 0) {
        return Fail(fmt::format("worker {} ended with status {:#x} (see its message above)",
                                r.plan.worker, r.wait_status));
      }
    }
    return Verify(running);
  }

  // [T-002]: the database opens (recovering), Check() finds nothing, no journal or temporary file
  // is left, and each worker's records equal its model after its acknowledged commits, with or
  // without the one in flight.
  bool Verify(std::vector<Running>& running) {
    Result<std::unique_ptr<Database>> db = Database::Open(dir_, Options{});
    if (!db.ok()) return Fail("reopen: " + db.status().ToString());
    std::vector<std::string> problems;
    if (Status status = (*db)->Check(&problems); !status.ok()) {
      std::string all = status.ToString();
      for (const std::string& p : problems) all += "\n  " + p;
      return Fail("Check after recovery: " + all);
    }
    for (const char* name : {"/.textdb/journal", "/.textdb/journal.tmp"}) {
      if (std::filesystem::exists(dir_ + name)) return Fail(fmt::format("{} left", name));
    }
    Result<Model> stored = ReadAll(db->get());
    if (!stored.ok()) return Fail("read back: " + stored.status().ToString());
    for (Running& r : running) {
      const int w = r.plan.worker;
      std::uint64_t& next = next_txn_[static_cast<std::size_t>(w)];
      for (std::uint64_t t : r.acks) {
        if (t != next)
          return Fail(fmt::format("worker {} acknowledged {}, expected {}", w, t, next));
        Apply(GenerateTxn(config_.seed, w, next, model_), &model_);
        ++next;
        ++acked_;
      }
      const Model actual = WorkerPart(*stored, w);
      if (actual == WorkerPart(model_, w)) {
        if (WIFSIGNALED(r.wait_status)) ++inflight_absent_;
        continue;
      }
      const bool was_killed = WIFSIGNALED(r.wait_status);
      Model with_inflight = model_;
      const Txn inflight = GenerateTxn(config_.seed, w, next, model_);
      Apply(inflight, &with_inflight);
      if (was_killed && actual == WorkerPart(with_inflight, w)) {
        model_ = std::move(with_inflight);
        ++next;
        ++inflight_applied_;
        continue;
      }
      return Fail(fmt::format(
          "worker {} ({} mode, kill_at {}, {} acks): its records are neither the state after "
          "commit {} nor after commit {} (in flight){}",
          w, ModeName(r.plan.mode), r.plan.kill_at, r.acks.size(), next, next + 1,
          Describe(actual, WorkerPart(model_, w))));
    }
    return true;
  }

  // The first difference between `actual` and `expected`.
  static std::string Describe(const Model& actual, const Model& expected) {
    for (const std::string& table : kTables) {
      const auto& a = actual.at(table);
      const auto& e = expected.at(table);
      for (const auto& [key, record] : e) {
        auto it = a.find(key);
        if (it == a.end()) return fmt::format("; {} {} is missing", table, key);
        if (it->second != record) return fmt::format("; {} {} differs", table, key);
      }
      for (const auto& [key, record] : a) {
        if (e.count(key) == 0) return fmt::format("; {} {} should not exist", table, key);
      }
    }
    return "";
  }

  Config config_;
  std::mt19937_64 rng_;
  std::string dir_;
  Model model_;                          // what the database must hold
  std::vector<std::uint64_t> next_txn_;  // per worker: the number of its next transaction
  long kills_ = 0;
  long rounds_ = 0;
  long acked_ = 0;
  long inflight_applied_ = 0;
  long inflight_absent_ = 0;
};

}  // namespace
}  // namespace textdb::torture

int main(int argc, char** argv) {
  textdb::torture::Config config;
  config.seed =
      static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  config.parent_dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr,
                   "usage: kill_torture [--kills N] [--seed S] [--workers W] [--dir D] "
                   "[--sweep safe,batch,fast|none]\n");
      return 2;
    }
    const char* value = argv[++i];
    if (arg == "--kills") {
      config.kills = std::strtol(value, nullptr, 10);
    } else if (arg == "--seed") {
      config.seed = std::strtoull(value, nullptr, 10);
    } else if (arg == "--workers") {
      config.workers = std::max(1, static_cast<int>(std::strtol(value, nullptr, 10)));
    } else if (arg == "--dir") {
      config.parent_dir = value;
    } else if (arg == "--sweep") {
      config.sweep_modes.clear();
      const std::string modes = std::string(",") + value + ",";
      for (textdb::SyncMode mode : textdb::torture::kModes) {
        if (modes.find("," + std::string(textdb::torture::ModeName(mode)) + ",") !=
            std::string::npos) {
          config.sweep_modes.push_back(mode);
        }
      }
    } else {
      std::fprintf(stderr, "kill_torture: unknown option %s\n", arg.c_str());
      return 2;
    }
  }
  fmt::print("kill_torture: seed {}, {} kills, {} workers, in {}\n", config.seed, config.kills,
             config.workers, config.parent_dir);
  std::fflush(stdout);
  return textdb::torture::Torture(config).Run() ? 0 : 1;
}
