#include "storage/wal_sync.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace epsync {

namespace {
constexpr const char* kSyncFailed = "fdatasync of the WAL failed: ";
}  // namespace

bool is_wal_sync_failure(const Status& s) {
  return s.code() == Status::Code::kIoError && s.message().rfind(kSyncFailed, 0) == 0;
}

namespace {

std::uint32_t data_version(Db& db) {
  unsigned int v = 0;  // bumped by every commit to the file, schema changes and VACUUM included
  sqlite3_file_control(db.handle(), "main", SQLITE_FCNTL_DATA_VERSION, &v);
  return v;
}

}  // namespace

Result<std::unique_ptr<WalSyncer>> WalSyncer::start(Db& writer, SyncFn sync) {
  auto pragma = [&](const char* sql) -> Result<std::string> {
    auto st = writer.prepare(sql);
    if (!st.ok()) return st.status();
    auto row = st->step();
    if (!row.ok()) return row.status();
    return row.value() ? st->column_text(0) : std::string();
  };
  auto mode = pragma("PRAGMA journal_mode");
  if (!mode.ok()) return mode.status();
  if (mode.value() != "wal") return Status::InvalidInput("deferred WAL syncs need a store in WAL mode");
  auto before = pragma("PRAGMA synchronous");
  if (!before.ok()) return before.status();
  // SQLite's own name for the WAL: next to the real file when the store's path is a symlink.
  const char* wal = sqlite3_filename_wal(sqlite3_db_filename(writer.handle(), "main"));
  if (!wal || !*wal) return Status::InvalidInput("the store has no WAL file name");
  int fd = ::open(wal, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(std::string("cannot open ") + wal + ": " + std::strerror(errno));
  if (!sync) sync = [](int f) { return ::fdatasync(f); };
  std::unique_ptr<WalSyncer> s(new WalSyncer(writer, wal, fd, std::move(sync)));
  s->previous_synchronous_ = before.value();
  if (Status st = writer.exec("PRAGMA synchronous = NORMAL"); !st.ok()) {
    ::close(fd);
    return st;
  }
  s->seen_changes_ = sqlite3_total_changes64(writer.handle());
  s->seen_version_ = data_version(writer);
  // What an earlier process committed may still be only in the page cache (it may have died
  // between a commit and its sync), so the first answer waits for a sync too.
  s->written_ = 1;
  s->thread_ = std::thread([p = s.get()] { p->run(); });
  return s;
}

WalSyncer::~WalSyncer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
  (void)writer_.exec("PRAGMA synchronous = " + previous_synchronous_);
}

void WalSyncer::when_durable(Done done) {
  writer_thread_.assert_on_owner_thread();
  const std::int64_t changes = sqlite3_total_changes64(writer_.handle());
  const std::uint32_t version = data_version(writer_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (changes != seen_changes_ || version != seen_version_) {
      seen_changes_ = changes;
      seen_version_ = version;
      ++written_;
    }
    waiting_.emplace_back(written_, std::move(done));
  }
  cv_.notify_one();
}

std::int64_t WalSyncer::syncs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return syncs_;
}

void WalSyncer::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) return;  // stopping, and nothing waits
    // One sync covers every commit made before it starts, however many calls wait on them.
    const std::int64_t target = written_;
    if (failed_.ok() && synced_ < target) {
      lock.unlock();
      int rc = sync_(fd_);
      int err = errno;
      // SQLite keeps its WAL file while a connection is open, so a different file at that name
      // means someone replaced it, and syncing ours would prove nothing.
      struct stat held {}, named {};
      if (rc == 0 && (::fstat(fd_, &held) != 0 || ::stat(wal_path_.c_str(), &named) != 0 ||
                      held.st_ino != named.st_ino || held.st_dev != named.st_dev)) {
        rc = -1;
        err = ESTALE;
      }
      lock.lock();
      ++syncs_;
      if (rc != 0) {
        failed_ = Status::IoError(kSyncFailed + std::string(std::strerror(err)));
        // After a failed write-back Linux keeps the unwritten pages, marked clean: drop them, so
        // that whoever opens the store next reads what the disk really holds.
        ::posix_fadvise(fd_, 0, 0, POSIX_FADV_DONTNEED);
      }
      else synced_ = target;
    }
    std::vector<std::pair<std::int64_t, Done>> ready;
    std::vector<std::pair<std::int64_t, Done>> later;
    for (auto& w : waiting_) (w.first <= synced_ || !failed_.ok() ? ready : later).push_back(std::move(w));
    waiting_.swap(later);
    const Status outcome = failed_;
    lock.unlock();
    for (auto& [gen, done] : ready) done(outcome);
    lock.lock();
  }
}

}  // namespace epsync
