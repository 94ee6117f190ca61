#include "storage/checkpointer.h"

#include <sqlite3.h>

namespace epsync {

Result<std::unique_ptr<Checkpointer>> Checkpointer::start(Db& writer, const std::string& path, int threshold_pages,
                                                           int inline_pages) {
  std::unique_ptr<Checkpointer> c(new Checkpointer(writer, threshold_pages, inline_pages));
  auto own = Db::open(path, Db::OpenOptions{});
  if (!own.ok()) return own.status();
  c->own_ = std::move(own).value();
  // A connection learns that a file is in WAL mode on its first read. Until then a checkpoint on
  // it succeeds and copies nothing (log and checkpointed frames both -1).
  EPSYNC_RETURN_IF_ERROR(c->own_->exec("SELECT count(*) FROM sqlite_schema"));
  auto current = writer.prepare("PRAGMA wal_autocheckpoint");
  if (!current.ok()) return current.status();
  auto row = current->step();
  if (!row.ok()) return row.status();
  if (row.value()) c->writer_autocheckpoint_ = static_cast<int>(current->column_int(0));
  // After the WAL starts over, its file is cut back to this size rather than kept at its largest.
  EPSYNC_RETURN_IF_ERROR(writer.exec("PRAGMA journal_size_limit = " + std::to_string(64 << 20)));
  // Replaces the writer's automatic checkpoint, which SQLite implements with this same hook.
  sqlite3_wal_hook(writer.handle(), &Checkpointer::on_commit, c.get());
  c->thread_ = std::thread([p = c.get()] { p->run(); });
  return c;
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_autocheckpoint(writer_.handle(), writer_autocheckpoint_);  // also removes our hook
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

int Checkpointer::on_commit(void* self, sqlite3* db, const char* name, int pages) {
  auto* c = static_cast<Checkpointer*>(self);
  if (pages >= c->inline_) {
    // The thread has not kept up: copy back here, as SQLite's own hook does, so the WAL can start
    // over before the next write.
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  if (pages >= c->threshold_) {
    {
      std::lock_guard<std::mutex> lock(c->mu_);
      c->due_ = true;
    }
    c->cv_.notify_one();
  }
  return SQLITE_OK;
}

std::int64_t Checkpointer::checkpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

void Checkpointer::run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return due_ || stopping_; });
      if (stopping_) return;
      due_ = false;
    }
    // PASSIVE copies what no reader still needs and never waits for the writer. A busy or
    // partial checkpoint is simply tried again after a later commit.
    int log_frames = -1, copied = -1;
    int rc = sqlite3_wal_checkpoint_v2(own_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
    if (rc == SQLITE_OK && copied > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      ++done_;
    }
  }
}

}  // namespace epsync
