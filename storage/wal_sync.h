// Takes the WAL fsync out of a writer's commits, so a group commit's sync overlaps the next
// group's work (a pipelined group commit). The writer's connection runs with synchronous=NORMAL,
// which in WAL mode still syncs every checkpoint and cannot corrupt the database, but leaves the
// last commits' durability to this class: its thread calls fdatasync on the WAL file and only
// then runs what waits on those commits (acknowledgements). Nothing is acknowledged earlier.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite.h"
#include "storage/status.h"
#include "storage/thread_owner.h"

namespace epsync {

class WalSyncer {
 public:
  using SyncFn = std::function<int(int fd)>;  // fdatasync(2) by default; tests replace it
  using Done = std::function<void(const Status&)>;

  // `writer` is the connection that commits, in WAL mode; it must outlive this.
  static Result<std::unique_ptr<WalSyncer>> start(Db& writer, SyncFn sync = {});
  // Syncs and answers what still waits, then gives the writer its synchronous setting back.
  ~WalSyncer();
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  // Call on the writer's thread (asserted: the first caller's), after a commit or after any other
  // use of the writer: `done` runs on this class's thread once everything the writer has written
  // so far is on disk. If a sync fails, `done` gets the error, and so does every later call:
  // after a failed fsync the kernel may have dropped the unwritten pages, so nothing more may be
  // acknowledged until the store is opened again from what the disk holds.
  void when_durable(Done done);

  std::int64_t syncs() const;  // fdatasync calls made so far

 private:
  WalSyncer(Db& writer, std::string wal_path, int fd, SyncFn sync)
      : writer_(writer), wal_path_(std::move(wal_path)), fd_(fd), sync_(std::move(sync)) {}
  void run();

  Db& writer_;
  const std::string wal_path_;
  const int fd_;  // the WAL file, opened read-only: fdatasync flushes the file, whichever descriptor
  SyncFn sync_;
  std::string previous_synchronous_;
  // The writer's total_changes and the file's data version at the last call (writer's thread).
  std::int64_t seen_changes_ = 0;
  std::uint32_t seen_version_ = 0;
  ThreadOwner writer_thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::int64_t written_ = 0;  // generations: bumped by a call that sees new writes
  std::int64_t synced_ = 0;   // everything up to this generation is on disk
  std::int64_t syncs_ = 0;
  Status failed_;
  bool stopping_ = false;
  std::vector<std::pair<std::int64_t, Done>> waiting_;
  std::thread thread_;
};

// Whether a status is a WalSyncer's failed sync (as opposed to, say, a full disk in a commit).
bool is_wal_sync_failure(const Status& s);

}  // namespace epsync
