#include "sync/client_session.h"

#include <algorithm>

#include "sync/codec.h"

namespace epsync::sync {

ClientSession::ClientSession(ClientConfig cfg) : cfg_(std::move(cfg)) {
  reader_.allow_compressed(false);  // until the welcome agrees on zstd
}

void ClientSession::send(const Message& m) { out_ += make_frame(encode_message(m), compress_); }

std::string ClientSession::take_output() { return std::exchange(out_, {}); }

std::optional<ClientAction> ClientSession::next_action() {
  if (actions_.empty()) return std::nullopt;
  ClientAction a = std::move(actions_.front());
  actions_.pop_front();
  return a;
}

void ClientSession::start() {
  if (state_ != State::kIdle) return;
  send(cfg_.hello);
  state_ = State::kAwaitWelcome;
}

void ClientSession::start(TimePoint now, SessionTimeouts timeouts) {
  if (state_ != State::kIdle) return;
  timer_.start(now, timeouts);
  start();
}

void ClientSession::receive(std::string_view bytes, TimePoint now) {
  timer_.progress(now);
  receive(bytes);
}

void ClientSession::sent(TimePoint now) { timer_.progress(now); }

std::optional<TimePoint> ClientSession::poll_timeout() const {
  if (state_ == State::kDone) return std::nullopt;
  return timer_.deadline();
}

void ClientSession::handle_timeout(TimePoint now) {
  if (state_ == State::kDone || !timer_.expired(now)) return;
  finish(Status::IoError(std::string("hub did not ") + (timer_.opening() ? "welcome this agent" : "answer") +
                         " within " + std::to_string(timer_.limit_seconds()) + " s"));
}

void ClientSession::finish(Status s, std::optional<Error> hub_error) {
  if (state_ == State::kDone) return;
  state_ = State::kDone;
  actions_.push_back(client::Finished{std::move(s), std::move(hub_error)});
}

void ClientSession::protocol_error(const std::string& what) {
  send(Error{kErrorBadMessage, what});
  finish(Status::IoError("hub broke the protocol: " + what));
}

void ClientSession::fail(const Status& s) {
  if (state_ == State::kDone) return;
  send(Error{kErrorInternal, "agent: " + s.message()});
  finish(s);
}

void ClientSession::receive(std::string_view bytes) {
  if (state_ == State::kDone) return;
  reader_.feed(bytes);
  while (state_ != State::kDone) {
    auto payload = reader_.next();
    if (!payload.ok()) return protocol_error(payload.status().message());
    if (!payload.value()) return;
    auto m = decode_message(*payload.value());
    if (!m.ok()) return protocol_error(m.status().message());
    on_message(std::move(m).value());
  }
}

void ClientSession::on_message(Message m) {
  if (auto* e = std::get_if<Error>(&m)) {
    std::string msg = "hub refused: " + e->message + " (" + e->code + ")";
    const bool definite = e->code == kErrorVersion || e->code == kErrorUnauthorized ||
                          e->code == kErrorUnknownCenter || e->code == kErrorForbiddenRow ||
                          (e->code == kErrorBadMessage && e->site_seq > 0);
    finish(definite ? Status::InvalidInput(msg) : Status::IoError(msg), *e);
    return;
  }
  if (std::holds_alternative<Ping>(m)) return send(Pong{});
  if (std::holds_alternative<Pong>(m)) return;
  switch (state_) {
    case State::kAwaitWelcome: {
      auto* w = std::get_if<Welcome>(&m);
      if (!w) return protocol_error(std::string("expected welcome, got ") + message_name(m));
      if (w->proto < cfg_.hello.proto_min || w->proto > cfg_.hello.proto_max)
        return protocol_error("hub chose protocol " + std::to_string(w->proto) + " outside what was offered");
      if (w->schema < cfg_.hello.schema_min || w->schema > cfg_.hello.schema_max)
        return protocol_error("hub chose store schema " + std::to_string(w->schema) + " outside what was offered");
      timer_.opened(SessionClock::time_point{});  // progress() already noted when it arrived
      bool epoch_changed = w->epoch != cfg_.known_epoch;
      if (epoch_changed) {
        cfg_.pull_cursor = 0;
        cfg_.pull_check.clear();
      }
      max_batch_bytes_ = w->max_batch_bytes > 0 ? w->max_batch_bytes : max_batch_bytes_;
      next_batch_bytes_ = std::min(std::max<std::int64_t>(cfg_.first_batch_bytes, 1), max_batch_bytes_);
      pushed_up_to_ = w->hwm;  // re-send whatever the hub does not hold (it may have lost some)
      Welcome copy = *w;
      actions_.push_back(client::Welcomed{std::move(copy), epoch_changed});
      compress_ = w->compression == "zstd";  // from the next frame on
      reader_.allow_compressed(compress_);
      state_ = State::kPushing;
      return;
    }
    case State::kPushing: {
      auto* a = std::get_if<Ack>(&m);
      if (!a) return protocol_error(std::string("expected ack, got ") + message_name(m));
      if (in_flight_.empty() || in_flight_.front() != a->batch)
        return protocol_error("ack for a batch not in flight");
      in_flight_.pop_front();
      actions_.push_back(client::Acked{*a});
      if (push_exhausted_ && in_flight_.empty()) {
        state_ = State::kPulling;
        send_pull();
      } else {
        maybe_need_push();
      }
      return;
    }
    case State::kPulling: {
      auto* c = std::get_if<Changes>(&m);
      if (!c || !pull_outstanding_) return protocol_error(std::string("expected changes, got ") + message_name(m));
      pull_outstanding_ = false;
      last_more_ = c->more;
      cfg_.pull_cursor = c->next_cursor;
      cfg_.pull_check = c->next_check;
      actions_.push_back(client::ApplyPulled{std::move(*c)});
      return;
    }
    default:
      return protocol_error(std::string("unexpected ") + message_name(m));
  }
}

void ClientSession::heartbeat(const Heartbeat& hb) {
  if (state_ != State::kPushing) return;
  send(hb);
  maybe_need_push();
}

void ClientSession::maybe_need_push() {
  if (state_ != State::kPushing || push_requested_ || push_exhausted_) return;
  if (static_cast<int>(in_flight_.size()) >= cfg_.push_window) return;
  push_requested_ = true;
  actions_.push_back(client::NeedPush{pushed_up_to_, next_batch_bytes_});
  next_batch_bytes_ = next_batch_bytes_ > max_batch_bytes_ / 2 ? max_batch_bytes_ : 2 * next_batch_bytes_;
}

void ClientSession::push(const std::vector<RowChange>& batch) {
  PushBatch b;
  for (const auto& c : batch) b.add(c);
  push(b);
}

void ClientSession::push(const PushBatch& batch) {
  if (state_ != State::kPushing || !push_requested_) return;
  push_requested_ = false;
  if (batch.empty()) {
    push_exhausted_ = true;
    if (in_flight_.empty()) {
      state_ = State::kPulling;
      send_pull();
    }
    return;
  }
  pushed_up_to_ = batch.last_site_seq();
  std::uint64_t id = next_batch_++;
  in_flight_.push_back(id);
  out_ += make_frame(batch.message(id), compress_);
  maybe_need_push();
}

void ClientSession::send_pull() {
  pull_outstanding_ = true;
  send(Pull{cfg_.pull_cursor, cfg_.pull_check, cfg_.max_pull_bytes});
}

void ClientSession::pulled_applied() {
  if (state_ != State::kPulling || pull_outstanding_) return;
  // The last Changes said whether more is due; ask until the hub says no more.
  if (last_more_) return send_pull();
  send(Bye{});
  finish(Status::Ok());
}

}  // namespace epsync::sync
