#include "trust.h"

#include <gtest/gtest.h>

namespace referral {
namespace {

struct Case {
    const char *value;    // a referral_conversion_* value as written in nginx.conf
    const char *culprit;  // the variable that makes it request-sourced; "" when none
};

TEST(FirstRequestVariable, ClassifiesConversionValues) {
    const Case cases[] = {
        // The shop's response: trust=upstream.
        {"$upstream_http_x_order_id", ""},
        {"${upstream_http_x_order_id}", ""},
        {"$sent_http_x_order_id", ""},
        {"$upstream_cookie_order", ""},
        {"$upstream_trailer_x_amount", ""},
        {"order-$upstream_http_x_id-$upstream_http_x_shop", ""},
        {"${upstream_http_x_id}suffix", ""},
        // Literals and text that names no variable.
        {"order-1", ""},
        {"10.00", ""},
        {"EUR", ""},
        {"", ""},
        {"$", ""},
        {"${", ""},
        {"${}", ""},
        {"price $ 10", ""},
        // The request: trust=request, named in the nginx -t warning.
        {"$arg_order", "arg_order"},
        {"${arg_order}", "arg_order"},
        {"$args", "args"},
        {"$http_x_order_id", "http_x_order_id"},
        {"$cookie_order", "cookie_order"},
        {"$request_uri", "request_uri"},
        {"$query_string", "query_string"},
        {"$request_id", "request_id"},
        {"$1", "1"},
        // A map or set result may be built from the request.
        {"$order_from_map", "order_from_map"},
        // The first forgeable variable is named, trusted ones around it notwithstanding.
        {"$upstream_http_x_id-$arg_shop-$cookie_b", "arg_shop"},
        {"${upstream_http_x_id}$http_x", "http_x"},
        // A prefix alone names no response header.
        {"$upstream_http_", "upstream_http_"},
        {"$sent_http_", "sent_http_"},
        // Prefixes are matched as written: an unusual spelling is treated as the request's.
        {"$UPSTREAM_HTTP_X_ORDER_ID", "UPSTREAM_HTTP_X_ORDER_ID"},
        {"$upstream_httpx", "upstream_httpx"},
    };
    for (const Case &c : cases) {
        EXPECT_EQ(first_request_variable(c.value), c.culprit) << c.value;
    }
}

}  // namespace
}  // namespace referral
