/* till-money.h: money in fen, quantities in thousandths, and every rounding rule
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Money is always a gint64 count of fen (分, 1/100 yuan); quantities are a gint64
 * count of thousandths (grams for weighed goods, pieces × 1000 otherwise). */
#define TILL_QUANTITY_ONE 1000

#define TILL_MONEY_ERROR (till_money_error_quark ())

typedef enum
{
  TILL_MONEY_ERROR_INVALID, /* not a number, or more decimals than allowed */
  TILL_MONEY_ERROR_RANGE,   /* negative or beyond what a till can handle */
} TillMoneyError;

/* 抹零: the store's rule for the amount the customer pays. */
typedef enum
{
  TILL_ROUNDING_NONE,       /* pay to the fen */
  TILL_ROUNDING_DROP_FEN,   /* 抹分: 12.34 → 12.30 */
  TILL_ROUNDING_DROP_JIAO,  /* 抹角: 12.34 → 12.00 */
  TILL_ROUNDING_ROUND_JIAO, /* 四舍五入到角: 12.35 → 12.40, 12.34 → 12.30 */
} TillRounding;

GQuark till_money_error_quark (void);

gint64      till_money_round_half_up (gint64 numerator, gint64 denominator);
gint64      till_money_line_amount (gint64 unit_price, gint64 quantity);
gint64      till_money_apply_rounding (gint64 amount, TillRounding rule);
char       *till_money_format (gint64 fen);
char       *till_money_format_yuan (gint64 fen);
gboolean    till_money_parse (const char *text, gint64 *out_fen, GError **error);
gboolean    till_quantity_parse (const char *text, gint64 *out_quantity, GError **error);
char       *till_quantity_format (gint64 quantity);
const char *till_rounding_to_string (TillRounding rule);
gboolean    till_rounding_from_string (const char *text, TillRounding *out_rule);

G_END_DECLS
