/* till-demo.h: a realistic Chinese convenience store for the demo and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

#include "till-types.h"

G_BEGIN_DECLS

#define TILL_DEMO_DEFAULT_SKUS 2000

/* Demo sign-ins (code / PIN). */
#define TILL_DEMO_CASHIER_CODE "1001"
#define TILL_DEMO_CASHIER_PIN "1234"
#define TILL_DEMO_MANAGER_CODE "9001"
#define TILL_DEMO_MANAGER_PIN "9999"
/* Demo tenders (issue 6): stored-value cards (王芳 ¥500 + ¥50 bonus, 张伟
 * ¥30) and vouchers (V2026001..V2026005: ¥10 off a sale of ¥50; the "any"
 * one ¥20 with no minimum; the expired one ¥10, valid in 2025 only). */
#define TILL_DEMO_STORED_VALUE_CARD "8800000000000012"
#define TILL_DEMO_STORED_VALUE_SMALL_CARD "8800000000000029"
#define TILL_DEMO_VOUCHER_ANY "V2026100"
#define TILL_DEMO_VOUCHER_EXPIRED "V2025999"

/* Fills an empty store: settings (store name, address, till id, rounding,
 * the tenders on), demo stored-value cards and vouchers,
 * a category tree, n_skus products with brands, EAN-13 barcodes with valid check
 * digits (some with two barcodes), weighed fresh goods with PLU codes, popularity
 * ranks for quick keys, and the demo users. Deterministic for a given seed. Fails if
 * the store already has products. */
gboolean till_demo_populate (TillStore *store, guint n_skus, guint32 seed, GError **error);

G_END_DECLS
