#include "storage/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "storage/file_access.h"

namespace epsync {

Status PrivateFile::fail(const std::string& what, int err) const {
  std::string msg = dest_ + ": " + what + ": " + std::strerror(err);
  // A directory that does not exist, or a path through a file, is a wrong argument.
  if (err == ENOENT || err == ENOTDIR || err == EISDIR) return Status::InvalidInput(msg);
  if (err == EACCES || err == EPERM) return Status::PermissionDenied(dest_ + ": " + what);
  return Status::IoError(msg);
}

Result<PrivateFile> PrivateFile::create_beside(const std::string& dest) {
  if (dest.empty() || dest.back() == '/') return Status::InvalidInput("'" + dest + "': needs a file name");
  std::string pattern = dest + ".partial.XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  // mkostemp opens with O_CREAT|O_EXCL and mode 0600: it never opens what is already there.
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  PrivateFile f(dest, std::string(name.data()), fd);
  if (fd < 0) {
    int err = errno;
    f.temp_.clear();  // nothing to remove
    return f.fail("cannot create a file in " + directory_of(dest), err);
  }
  // mkstemp's 0600, or in the shared state directory 0660 (storage/file_access.h), whatever the
  // umask and the libc.
  if (::fchmod(fd, mode_for_new_file(dest)) != 0) return f.fail("cannot set the mode of " + f.temp_, errno);
  return f;
}

PrivateFile::PrivateFile(PrivateFile&& o) noexcept
    : dest_(std::move(o.dest_)), temp_(std::move(o.temp_)), fd_(o.fd_), committed_(o.committed_) {
  o.fd_ = -1;
  o.temp_.clear();
}

PrivateFile::~PrivateFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

Status PrivateFile::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write " + temp_, errno);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status PrivateFile::commit() {
  if (::fsync(fd_) != 0) return fail("cannot write " + temp_ + " to disk", errno);
  // Someone who can write to the directory could have swapped the name for something else
  // meanwhile (SQLite, for a backup, opened it by name). Rename only the file we created.
  struct stat held {}, named {};
  if (::fstat(fd_, &held) != 0) return fail("cannot check " + temp_, errno);
  if (::lstat(temp_.c_str(), &named) != 0) return fail("cannot check " + temp_, errno);
  if (held.st_dev != named.st_dev || held.st_ino != named.st_ino)
    return Status::IoError(dest_ + ": " + temp_ + " was replaced while it was being written; nothing was saved");
  if (::rename(temp_.c_str(), dest_.c_str()) != 0) return fail("cannot move " + temp_ + " into place", errno);
  committed_ = true;
  int dir = ::open(directory_of(dest_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);  // best effort: the file is complete under its name either way
    ::close(dir);
  }
  return Status::Ok();
}

}  // namespace epsync
