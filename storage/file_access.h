// Who may open a store and who may read the files epsync creates beside it. A directory with the
// setgid bit (the state directory /var/lib/epsync, 2770 epsync:epsync) is shared with its group:
// files made there are 0660 and belong to that group, so every registrar in group epsync and the
// daemons reach them. Anywhere else a new file is its owner's alone (0600).
#pragma once

#include <sys/types.h>

#include <string>

#include "storage/status.h"

namespace epsync {

// Whether `path` exists, without following the caller into an exception: a directory on the way
// that this user may not search is PermissionDenied, a directory at `path` InvalidInput.
Result<bool> file_exists(const std::string& path);

// PermissionDenied when this user (effective ids, as the kernel will check them) may not read, or
// with `write` also write, the existing file `path`.
Status check_access(const std::string& path, bool write);

// 0660 in a directory with the setgid bit, else 0600: the mode of a file created at `path`.
mode_t mode_for_new_file(const std::string& path);

// Gives the file just created at `path` (or open as `fd`, when fd >= 0) mode_for_new_file.
Status set_new_file_mode(const std::string& path, int fd = -1);

// The directory part of `path` ("." for a bare name).
std::string directory_of(const std::string& path);

}  // namespace epsync
