#include "agent/centre_store.h"

#include <utility>

#include "records/model.h"

namespace epsync {

Result<CentreStore> open_centre_store(const std::string& path, StoreOptions opt) {
  auto s = Store::open(path, eps_store_options(std::move(opt)));
  if (!s.ok()) return s.status();
  auto center = s.value()->center_id();
  if (!center.ok()) return center.status();
  if (center->empty())
    return Status::InvalidInput(path + " has no centre yet; run `epsync init --center ID --region SLUG`");
  if (center.value() == "HUB") return Status::InvalidInput(path + " is the hub's store; use `epsync hub ...`");
  return CentreStore{std::move(s).value(), center.value()};
}

Status check_centre(const CentreStore& opened, const AgentConfig& cfg) {
  if (opened.center == cfg.center_id) return Status::Ok();
  return Status::InvalidInput("the store " + opened.store->path() + " belongs to centre " + opened.center + ", but " +
                              cfg.source + " says center.id = " + cfg.center_id);
}

}  // namespace epsync
