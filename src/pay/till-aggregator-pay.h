/* till-aggregator-pay.h: an acquirer/aggregator's B扫C API (收钱吧
 * Shouqianba upay v2 style) that takes UnionPay QR codes, and the other
 * wallets' codes too
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "till-wallet-client.h"

G_BEGIN_DECLS

/* The Authorization header value: "@terminal_sn " + lower hex MD5 of the
 * request body followed by @terminal_key. */
char *till_aggregator_sign (const char *terminal_sn,
                            const char *terminal_key,
                            const char *body,
                            gsize       length);

/* Properties (construct): "base-url", "terminal-sn", "terminal-key",
 * "provider" (TillWalletProvider it answers for, default unionpay),
 * "tls-database", "timeout". */
#define TILL_TYPE_AGGREGATOR_PAY (till_aggregator_pay_get_type ())
G_DECLARE_FINAL_TYPE (TillAggregatorPay, till_aggregator_pay, TILL, AGGREGATOR_PAY, GObject)

G_END_DECLS
