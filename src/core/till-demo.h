/* till-demo.h: a realistic Chinese convenience store for the demo and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

#include "till-member-key.h"
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
/* Demo promotions (issue 8), the till's own (table promotion): 茶饮料第二件半价
 * (category DRINK-TEA), 零食任选3件10元 (cheap snacks by SKU), 满100减10 /
 * 满200减30, 德芙巧克力8折 (brand), 买两盒牛奶赠一包饼干 (伊利 or 蒙牛 纯牛奶 250ml
 * → 奥利奥 97g), 果蔬晚市8折 18:00–21:00 (FRESH-FRUIT, FRESH-VEG), and the
 * coupons DEMO10 (满50减10, any number of times) and WELCOME5 (5 yuan off,
 * once). */
#define TILL_DEMO_PROMOTION_DRINKS "DEMO-DRINK-2ND-HALF"
#define TILL_DEMO_PROMOTION_SNACKS "DEMO-SNACK-3-FOR-10"
#define TILL_DEMO_PROMOTION_SPEND "DEMO-SPEND-100-200"
#define TILL_DEMO_PROMOTION_BRAND "DEMO-DOVE-20-OFF"
#define TILL_DEMO_PROMOTION_GIFT "DEMO-MILK-GIFT"
#define TILL_DEMO_PROMOTION_HAPPY_HOUR "DEMO-FRESH-EVENING"
#define TILL_DEMO_COUPON "DEMO10"
#define TILL_DEMO_COUPON_WELCOME "WELCOME5"

/* Fills an empty store: settings (store name, address, till id, rounding,
 * the tenders on), demo stored-value cards and vouchers,
 * a category tree with codes (DRINK, DRINK-TEA, …), the demo promotions, n_skus products with
 * brands, EAN-13 barcodes with valid check digits (some with two barcodes), weighed fresh goods
 * with PLU codes, popularity ranks for quick keys, and the demo users. Deterministic for a given
 * seed. Fails if the store already has products. */
gboolean till_demo_populate (TillStore *store, guint n_skus, guint32 seed, GError **error);

/* Demo members (issue 9), registered by the demo manager: 陈静 with the
 * member card TILL_DEMO_MEMBER_CARD, 刘洋 whose birthday is today, 赵敏 who
 * opted out of marketing messages, and a few more; phones 138 0013 8000 on
 * (TILL_DEMO_MEMBER_PHONE is the first). Their personal data is sealed with
 * @key like any member's. Fails if a demo phone is already a member's. */
#define TILL_DEMO_MEMBER_PHONE "13800138000"
#define TILL_DEMO_MEMBER_CARD "M0000001"
#define TILL_DEMO_MEMBER_BIRTHDAY_PHONE "13800138001"
#define TILL_DEMO_MEMBER_OPT_OUT_PHONE "13800138002"
gboolean
till_demo_add_members (TillStore *store, TillJournal *journal, TillMemberKey *key, GError **error);

G_END_DECLS
