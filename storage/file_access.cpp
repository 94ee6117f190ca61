#include "storage/file_access.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace epsync {

namespace {

bool refused(int err) { return err == EACCES || err == EPERM; }

}  // namespace

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Result<bool> file_exists(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::InvalidInput(path + " is a directory, not a store file");
    return true;
  }
  int err = errno;
  if (err == ENOENT) return false;
  if (refused(err)) return Status::PermissionDenied(path);
  return Status::IoError(path + ": " + std::strerror(err));
}

Status check_access(const std::string& path, bool write) {
  int want = R_OK | (write ? W_OK : 0);
  if (::faccessat(AT_FDCWD, path.c_str(), want, AT_EACCESS) == 0) return Status::Ok();
  int err = errno;
  if (refused(err)) return Status::PermissionDenied(path);
  // A read-only file system and the like: SQLite reports them in its own words when it opens.
  return Status::Ok();
}

mode_t mode_for_new_file(const std::string& path) {
  struct stat dir {};
  if (::stat(directory_of(path).c_str(), &dir) == 0 && (dir.st_mode & S_ISGID)) return 0660;
  return 0600;
}

Status set_new_file_mode(const std::string& path, int fd) {
  mode_t mode = mode_for_new_file(path);
  int rc = fd >= 0 ? ::fchmod(fd, mode) : ::chmod(path.c_str(), mode);
  if (rc == 0) return Status::Ok();
  int err = errno;
  if (refused(err)) return Status::PermissionDenied(path);
  return Status::IoError(path + ": cannot set the file's mode: " + std::strerror(err));
}

}  // namespace epsync
