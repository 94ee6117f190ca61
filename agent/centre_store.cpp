#include "agent/centre_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "records/model.h"
#include "util/i18n.h"

namespace epsync {

Result<CentreStore> open_centre_store(const std::string& path, StoreOptions opt) {
  // The engine's own refusal is English (it is logged too); the registrar reads this one.
  struct stat st;
  if (!opt.create && ::stat(path.c_str(), &st) != 0 && errno == ENOENT)
    return Status::NotFound(trf("{} does not exist; run `epsync init` first", path));
  auto s = Store::open(path, eps_store_options(std::move(opt)));
  if (!s.ok()) return s.status();
  auto center = s.value()->center_id();
  if (!center.ok()) return center.status();
  if (center->empty())
    return Status::InvalidInput(trf("{} has no centre yet; run `epsync init --center ID --region SLUG`", path));
  if (center.value() == "HUB") return Status::InvalidInput(trf("{} is the hub's store; use `epsync hub ...`", path));
  return CentreStore{std::move(s).value(), center.value()};
}

Status check_centre(const CentreStore& opened, const AgentConfig& cfg) {
  if (opened.center == cfg.center_id) return Status::Ok();
  return Status::InvalidInput(trf("the store {} belongs to centre {}, but {} says center.id = {}",
                                  opened.store->path(), opened.center, cfg.source, cfg.center_id));
}

}  // namespace epsync
