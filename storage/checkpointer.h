// Moves WAL checkpoints off a writer's thread. By default SQLite checkpoints inside the commit
// that crosses 1000 WAL pages, so that commit (and the acknowledgements waiting on it) also
// copies the WAL back into the database and syncs it. With a Checkpointer the writer's
// connection only signals; a thread of its own, on its own connection, runs a PASSIVE
// checkpoint, which never blocks the writer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "storage/sqlite.h"
#include "storage/status.h"

namespace epsync {

class Checkpointer {
 public:
  // `writer` is the connection that commits; it must outlive the Checkpointer. `path` is its
  // database file. A checkpoint runs once a commit leaves at least `threshold_pages` in the WAL.
  // The WAL only starts over when a write begins after everything was copied back, which a
  // writer that never pauses prevents; so past `inline_pages` (default 8 x threshold) the
  // writer's commit checkpoints itself, as it would without a Checkpointer.
  static Result<std::unique_ptr<Checkpointer>> start(Db& writer, const std::string& path, int threshold_pages = 1000,
                                                     int inline_pages = 0);
  // Stops the thread and gives checkpointing back to the writer's commits.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  std::int64_t checkpoints() const;  // so far, that copied at least one page back

 private:
  Checkpointer(Db& writer, int threshold, int inline_pages)
      : writer_(writer), threshold_(threshold), inline_(inline_pages > 0 ? inline_pages : 8 * threshold) {}
  static int on_commit(void* self, struct sqlite3*, const char*, int pages);
  void run();

  Db& writer_;
  const int threshold_, inline_;
  int writer_autocheckpoint_ = 1000;  // given back when stopping
  std::unique_ptr<Db> own_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false, stopping_ = false;
  std::int64_t done_ = 0;
  std::thread thread_;
};

}  // namespace epsync
