/* The table nginx reads from a dynamic module: which modules the library holds and where its
 * filter goes in the chain (before the copy filter, like nginx's own header filters). */

#include <ngx_config.h>
#include <ngx_core.h>

#define NGX_HTTP_REFERRAL_EXPORT __attribute__((visibility("default")))

extern ngx_module_t ngx_http_referral_module;

NGX_HTTP_REFERRAL_EXPORT ngx_module_t *ngx_modules[] = {&ngx_http_referral_module, NULL};

NGX_HTTP_REFERRAL_EXPORT char *ngx_module_names[] = {"ngx_http_referral_module", NULL};

NGX_HTTP_REFERRAL_EXPORT char *ngx_module_order[] = {"ngx_http_referral_module",
                                                     "ngx_http_copy_filter_module", NULL};
