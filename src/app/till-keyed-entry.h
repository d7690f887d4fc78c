/* till-keyed-entry.h: what a cashier keyed on the keypad: "[quantity×]code"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TILL_KEYED_ENTRY_ERROR (till_keyed_entry_error_quark ())

typedef enum
{
  TILL_KEYED_ENTRY_ERROR_EMPTY,    /* nothing keyed */
  TILL_KEYED_ENTRY_ERROR_QUANTITY, /* the part before × is not a quantity above zero */
  TILL_KEYED_ENTRY_ERROR_CODE,     /* the code is not made of digits */
} TillKeyedEntryError;

/* The keypad shows × and keeps '*' in its text; both are accepted. */
#define TILL_KEYED_TIMES '*'

GQuark till_keyed_entry_error_quark (void);

/* Splits "0.456×10001" into a quantity in thousandths (456) and a code
 * ("10001"). Without × the quantity is 0 (none given); with nothing after × the
 * code is "" (a quantity waiting for the item the cashier taps next). */
gboolean
till_keyed_entry_parse (const char *text, gint64 *out_quantity, char **out_code, GError **error);

G_END_DECLS
