#include "qr_svg.h"

#include <qrencode.h>

#include <memory>

#include <fmt/format.h>

#include "html.h"

namespace referral::rewardd {
namespace {

constexpr int kQuietZone = 4;
constexpr int kPixels = 220;

struct QrDeleter {
    void operator()(QRcode *q) const { QRcode_free(q); }
};

}  // namespace

std::string qr_svg(std::string_view text, std::string_view title) {
    std::string data(text);
    std::unique_ptr<QRcode, QrDeleter> qr(
        QRcode_encodeData(static_cast<int>(data.size()),
                          reinterpret_cast<const unsigned char *>(data.data()), 0, QR_ECLEVEL_M));
    if (!qr) {
        return "";
    }
    const int size = qr->width + 2 * kQuietZone;
    // One path of unit squares: the smallest markup, and crisp at any scale.
    std::string path;
    for (int y = 0; y < qr->width; ++y) {
        for (int x = 0; x < qr->width; ++x) {
            if (qr->data[y * qr->width + x] & 1) {
                path += fmt::format("M{} {}h1v1h-1z", x + kQuietZone, y + kQuietZone);
            }
        }
    }
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{0}\" "
        "viewBox=\"0 0 {1} {1}\" width=\"{2}\" height=\"{2}\" shape-rendering=\"crispEdges\">"
        "<title>{0}</title><rect width=\"{1}\" height=\"{1}\" fill=\"#fff\"/>"
        "<path d=\"{3}\" fill=\"#000\"/></svg>",
        escape(title), size, kPixels, path);
}

}  // namespace referral::rewardd
