// Files that hold personal data outside the store (exports, backups): written to a fresh
// temporary beside the destination, mode 0600 whatever the umask (0660 in the shared state
// directory, as the store: storage/file_access.h), and renamed into place only
// when complete, so no reader ever sees a partial file and no planted link is ever followed.
#pragma once

#include <string>
#include <string_view>

#include "storage/status.h"

namespace epsync {

class PrivateFile {
 public:
  // Creates DEST.partial.XXXXXX in DEST's directory with mkostemp (O_CREAT|O_EXCL: a link or
  // file already at that name makes it pick another name, never open it), then fchmod 0600 (0660
  // in a setgid directory).
  // A missing directory is bad input; anything else an I/O error. Both name DEST.
  static Result<PrivateFile> create_beside(const std::string& dest);

  PrivateFile(PrivateFile&& o) noexcept;
  PrivateFile& operator=(PrivateFile&&) = delete;
  PrivateFile(const PrivateFile&) = delete;
  PrivateFile& operator=(const PrivateFile&) = delete;
  ~PrivateFile();  // an uncommitted temporary is removed

  int fd() const { return fd_; }
  const std::string& temp_path() const { return temp_; }
  const std::string& dest() const { return dest_; }

  Status write_all(std::string_view bytes);
  // Makes the bytes durable, checks that the temporary's name still leads to the file this
  // object created, and renames it over DEST. rename() replaces a link at DEST itself rather
  // than writing through it. The directory is synced too, so the new name survives a crash.
  Status commit();

 private:
  PrivateFile(std::string dest, std::string temp, int fd) : dest_(std::move(dest)), temp_(std::move(temp)), fd_(fd) {}
  Status fail(const std::string& what, int err) const;

  std::string dest_, temp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace epsync
