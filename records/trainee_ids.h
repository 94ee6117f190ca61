// Short trainee ids for what people read and type: the shortest prefix of each id, at least 8
// characters, that no other live trainee of the store shares (as git abbreviates commits). Ids
// made in the same millisecond share their first 16 characters, so a fixed length cannot work.
#pragma once

#include <string>
#include <vector>

#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

class ShortIds {
 public:
  static constexpr std::size_t kMinLength = 8;

  // Every live trainee of the store: exactly the ids find_trainee chooses among, so each short id
  // it gives names one trainee there.
  static Result<ShortIds> load(Store& store);
  explicit ShortIds(std::vector<std::string> ids);

  std::string of(const std::string& id) const;

 private:
  std::vector<std::string> sorted_;
};

}  // namespace epsync
