/* till-money.c: money in fen, quantities in thousandths, and every rounding rule
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-money"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-money.h"

/* No single amount or quantity on a till comes near this; staying far below
 * G_MAXINT64 keeps price × quantity products from overflowing. */
#define TILL_MONEY_MAX ((gint64) 1000000000000) /* ten billion yuan in fen */

G_DEFINE_QUARK (till_money_error_quark, till_money_error)

static const struct
{
  TillRounding rule;
  const char  *name;
} rounding_names[] = {
  { TILL_ROUNDING_NONE, "none" },
  { TILL_ROUNDING_DROP_FEN, "drop-fen" },
  { TILL_ROUNDING_DROP_JIAO, "drop-jiao" },
  { TILL_ROUNDING_ROUND_JIAO, "round-jiao" },
};

/**
 * till_money_round_half_up:
 * @numerator: any value
 * @denominator: a positive divisor
 *
 * Divides and rounds half away from zero, the rule Chinese retail uses for fen
 * (四舍五入): 2.5 → 3 and −2.5 → −3, so a refund mirrors its sale exactly.
 */
gint64
till_money_round_half_up (gint64 numerator, gint64 denominator)
{
  gint64 quotient;
  gint64 remainder;

  g_return_val_if_fail (denominator > 0, 0);

  quotient = numerator / denominator;
  remainder = numerator % denominator;
  if (remainder < 0)
    remainder = -remainder;
  if (remainder * 2 >= denominator)
    quotient += numerator < 0 ? -1 : 1;
  return quotient;
}

/**
 * till_money_line_amount:
 * @unit_price: fen per unit (per kg for weighed goods)
 * @quantity: thousandths of a unit (grams for weighed goods)
 *
 * The amount of a line, half-up to the fen: 3.58 ¥/kg × 0.457 kg = 1.63606 → 1.64.
 */
gint64
till_money_line_amount (gint64 unit_price, gint64 quantity)
{
  g_return_val_if_fail (unit_price > -TILL_MONEY_MAX && unit_price < TILL_MONEY_MAX, 0);
  g_return_val_if_fail (quantity > -TILL_MONEY_MAX && quantity < TILL_MONEY_MAX, 0);

  /* Both factors are below 10^12 in magnitude but their product is not below
   * 2^63: multiply and round in 128 bits. The result fits again. */
  __int128 product = (__int128) unit_price * quantity;
  __int128 quotient = product / TILL_QUANTITY_ONE;
  __int128 remainder = product % TILL_QUANTITY_ONE;

  if (remainder < 0)
    remainder = -remainder;
  if (remainder * 2 >= TILL_QUANTITY_ONE)
    quotient += product < 0 ? -1 : 1;
  return (gint64) quotient;
}

/**
 * till_money_apply_rounding:
 * @amount: the amount due, in fen
 * @rule: the store's 抹零 rule
 *
 * Returns: what the customer pays under @rule. Dropping always favours the
 *   customer (towards zero); rounding to the jiao is half-up.
 */
gint64
till_money_apply_rounding (gint64 amount, TillRounding rule)
{
  switch (rule)
    {
    case TILL_ROUNDING_NONE:
      return amount;
    case TILL_ROUNDING_DROP_FEN:
      return amount / 10 * 10;
    case TILL_ROUNDING_DROP_JIAO:
      return amount / 100 * 100;
    case TILL_ROUNDING_ROUND_JIAO:
      return till_money_round_half_up (amount, 10) * 10;
    default:
      g_return_val_if_reached (amount);
    }
}

/**
 * till_money_format:
 *
 * Returns: (transfer full): the amount in yuan with two decimals: "12.50", "-0.05"
 */
char *
till_money_format (gint64 fen)
{
  guint64 magnitude = fen < 0 ? -(guint64) fen : (guint64) fen;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u", fen < 0 ? "-" : "", magnitude / 100,
                          (guint) (magnitude % 100));
}

/**
 * till_money_format_yuan:
 *
 * Returns: (transfer full): the amount with the full-width yuan sign "￥12.50".
 *   The half-width ¥ (U+00A5) is avoided on purpose: GB2312/GBK printers and
 *   fonts lack it.
 */
char *
till_money_format_yuan (gint64 fen)
{
  g_autofree char *number = till_money_format (fen);

  if (fen < 0)
    return g_strdup_printf ("-\xef\xbf\xa5%s", number + 1);
  return g_strconcat ("\xef\xbf\xa5", number, NULL);
}

/* Parses an unsigned decimal with at most max_decimals digits after the point
 * into an integer scaled by 10^max_decimals. */
static gboolean
parse_scaled (const char *text, guint max_decimals, gint64 *out_value, GError **error)
{
  const char *p;
  gint64      value = 0;
  guint       decimals = 0;
  gboolean    seen_point = FALSE;
  gboolean    seen_digit = FALSE;

  g_return_val_if_fail (text != NULL, FALSE);

  p = text;
  while (g_ascii_isspace (*p))
    p++;
  for (; *p != '\0' && !g_ascii_isspace (*p); p++)
    {
      if (*p == '.' && !seen_point)
        {
          seen_point = TRUE;
          continue;
        }
      if (!g_ascii_isdigit (*p) || (seen_point && decimals == max_decimals))
        {
          g_set_error (error, TILL_MONEY_ERROR, TILL_MONEY_ERROR_INVALID,
                       _ ("“%s” is not a valid number"), text);
          return FALSE;
        }
      if (value > TILL_MONEY_MAX)
        {
          g_set_error (error, TILL_MONEY_ERROR, TILL_MONEY_ERROR_RANGE, _ ("%s is too large"),
                       text);
          return FALSE;
        }
      value = value * 10 + (*p - '0');
      seen_digit = TRUE;
      if (seen_point)
        decimals++;
    }
  while (g_ascii_isspace (*p))
    p++;
  if (!seen_digit || *p != '\0')
    {
      g_set_error (error, TILL_MONEY_ERROR, TILL_MONEY_ERROR_INVALID,
                   _ ("“%s” is not a valid number"), text);
      return FALSE;
    }
  for (; decimals < max_decimals; decimals++)
    value *= 10;
  if (value > TILL_MONEY_MAX)
    {
      g_set_error (error, TILL_MONEY_ERROR, TILL_MONEY_ERROR_RANGE, _ ("%s is too large"), text);
      return FALSE;
    }
  *out_value = value;
  return TRUE;
}

/**
 * till_money_parse:
 * @text: yuan as typed on the keypad: "12", "12.5", "12.50"
 *
 * Parses a non-negative amount; more than two decimals, signs, letters or an
 * empty string are refused.
 */
gboolean
till_money_parse (const char *text, gint64 *out_fen, GError **error)
{
  g_return_val_if_fail (out_fen != NULL, FALSE);
  return parse_scaled (text, 2, out_fen, error);
}

/**
 * till_quantity_parse:
 * @text: "3", "0.5", "1.245"
 *
 * Parses a non-negative quantity with up to three decimals into thousandths.
 */
gboolean
till_quantity_parse (const char *text, gint64 *out_quantity, GError **error)
{
  g_return_val_if_fail (out_quantity != NULL, FALSE);
  return parse_scaled (text, 3, out_quantity, error);
}

/**
 * till_quantity_format:
 *
 * Returns: (transfer full): the quantity without trailing zeros: 3000 → "3",
 *   456 → "0.456", 1500 → "1.5"
 */
char *
till_quantity_format (gint64 quantity)
{
  guint64 magnitude = quantity < 0 ? -(guint64) quantity : (guint64) quantity;
  guint   fraction = magnitude % TILL_QUANTITY_ONE;
  char    digits[4];
  int     n = 3;

  if (fraction == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT, quantity < 0 ? "-" : "",
                            magnitude / TILL_QUANTITY_ONE);

  g_snprintf (digits, sizeof digits, "%03u", fraction);
  while (n > 0 && digits[n - 1] == '0')
    digits[--n] = '\0';
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%s", quantity < 0 ? "-" : "",
                          magnitude / TILL_QUANTITY_ONE, digits);
}

const char *
till_rounding_to_string (TillRounding rule)
{
  for (guint i = 0; i < G_N_ELEMENTS (rounding_names); i++)
    if (rounding_names[i].rule == rule)
      return rounding_names[i].name;
  g_return_val_if_reached (NULL);
}

gboolean
till_rounding_from_string (const char *text, TillRounding *out_rule)
{
  g_return_val_if_fail (out_rule != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (rounding_names); i++)
    if (g_strcmp0 (rounding_names[i].name, text) == 0)
      {
        *out_rule = rounding_names[i].rule;
        return TRUE;
      }
  return FALSE;
}
