#include "webhook_receiver.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <stdexcept>

namespace rewardd_test {

struct WebhookReceiver::Impl {
    std::unique_ptr<httplib::Server> server;
    std::thread thread;
    mutable std::mutex mu;
    std::condition_variable released_cv;
    Mode mode = Mode::kOk;
    bool released = false;
    std::vector<Received> requests;
    size_t strays = 0;
    size_t arrived = 0;
};

WebhookReceiver::WebhookReceiver() : impl_(std::make_unique<Impl>()) {
    impl_->server = std::make_unique<httplib::Server>();
    start();
}

WebhookReceiver::WebhookReceiver(const std::string &cert, const std::string &key)
    : impl_(std::make_unique<Impl>()), tls_(true) {
    impl_->server = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
    if (!impl_->server->is_valid()) {
        throw std::runtime_error("the test receiver cannot use " + cert);
    }
    start();
}

void WebhookReceiver::start() {
    Impl &impl = *impl_;
    impl.server->Post("/hook", [&impl](const httplib::Request &req, httplib::Response &res) {
        Received r{req.get_header_value("webhook-id"), req.get_header_value("webhook-timestamp"),
                   req.get_header_value("webhook-signature"), req.body};
        std::unique_lock lock(impl.mu);
        ++impl.arrived;
        switch (impl.mode) {
            case Mode::kOk:
                r.status = 204;
                break;
            case Mode::kFail:
                r.status = 500;
                break;
            case Mode::kRedirect:
                r.status = 302;
                res.set_header("Location", "/elsewhere");
                break;
            case Mode::kHang:
                impl.released_cv.wait(lock, [&impl] { return impl.released; });
                r.status = 200;
                break;
        }
        res.status = r.status;
        impl.requests.push_back(std::move(r));
    });
    impl.server->set_error_handler([&impl](const httplib::Request &req, httplib::Response &) {
        std::lock_guard lock(impl.mu);
        if (req.path != "/hook") {
            ++impl.strays;
        }
    });
    port_ = impl.server->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) {
        throw std::runtime_error("the test receiver cannot listen");
    }
    impl.thread = std::thread([&impl] { impl.server->listen_after_bind(); });
}

WebhookReceiver::~WebhookReceiver() {
    release();
    impl_->server->stop();
    impl_->thread.join();
}

void WebhookReceiver::set(Mode mode) {
    std::lock_guard lock(impl_->mu);
    impl_->mode = mode;
}

void WebhookReceiver::release() {
    std::lock_guard lock(impl_->mu);
    impl_->released = true;
    impl_->released_cv.notify_all();
}

std::vector<Received> WebhookReceiver::requests() const {
    std::lock_guard lock(impl_->mu);
    return impl_->requests;
}

size_t WebhookReceiver::arrived() const {
    std::lock_guard lock(impl_->mu);
    return impl_->arrived;
}

size_t WebhookReceiver::strays() const {
    std::lock_guard lock(impl_->mu);
    return impl_->strays;
}

bool WebhookReceiver::signature_valid(const Received &r, const std::string &secret) {
    std::string encoded = secret.substr(secret.find('_') + 1);
    std::vector<unsigned char> key(encoded.size());
    int n = EVP_DecodeBlock(key.data(), reinterpret_cast<const unsigned char *>(encoded.data()),
                            static_cast<int>(encoded.size()));
    if (n < 0) {
        return false;
    }
    n -= static_cast<int>(std::count(encoded.begin(), encoded.end(), '='));
    std::string message = r.id + "." + r.timestamp + "." + r.body;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key.data(), n, reinterpret_cast<const unsigned char *>(message.data()),
         message.size(), mac, &mac_len);
    std::string expected(4 * ((mac_len + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char *>(expected.data()), mac,
                    static_cast<int>(mac_len));
    return r.signature == "v1," + expected;
}

}  // namespace rewardd_test
