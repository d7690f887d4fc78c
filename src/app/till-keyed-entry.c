/* till-keyed-entry.c: what a cashier keyed on the keypad: "[quantity×]code"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <till-core.h>

#include "till-keyed-entry.h"

#define TIMES_SIGN "\xc3\x97" /* × */

G_DEFINE_QUARK (till_keyed_entry_error_quark, till_keyed_entry_error)

static gboolean
is_all_digits (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isdigit (*text))
      return FALSE;
  return TRUE;
}

/**
 * till_keyed_entry_parse:
 * @text: as keyed: "8001", "3×8001", "0.456*10001", "2×", "6901234567892"
 * @out_quantity: (out): thousandths, or 0 when no quantity was keyed
 * @out_code: (out) (transfer full): the PLU or barcode, "" when only a
 *   quantity was keyed
 *
 * Returns: %TRUE, or %FALSE with @error set to a message for the cashier
 */
gboolean
till_keyed_entry_parse (const char *text, gint64 *out_quantity, char **out_code, GError **error)
{
  g_autofree char *normalized = NULL;
  g_auto (GStrv) parts = NULL;
  gint64      quantity = 0;
  const char *code;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_quantity != NULL && out_code != NULL, FALSE);

  normalized = g_strstrip (g_strdup (text));
  if (*normalized == '\0')
    {
      g_set_error_literal (error, TILL_KEYED_ENTRY_ERROR, TILL_KEYED_ENTRY_ERROR_EMPTY,
                           _ ("Type a PLU or a barcode on the keypad first."));
      return FALSE;
    }

  /* × and * mean the same: the screen shows one, keyboards type the other. */
  parts = g_strsplit (normalized, TIMES_SIGN, -1);
  g_free (normalized);
  normalized = g_strjoinv ("*", parts);
  g_clear_pointer (&parts, g_strfreev);
  parts = g_strsplit (normalized, "*", -1);

  if (g_strv_length (parts) > 2)
    {
      g_set_error (error, TILL_KEYED_ENTRY_ERROR, TILL_KEYED_ENTRY_ERROR_QUANTITY,
                   _ ("“%s” has more than one ×."), text);
      return FALSE;
    }
  if (g_strv_length (parts) == 2)
    {
      g_autoptr (GError) local_error = NULL;

      if (!till_quantity_parse (parts[0], &quantity, &local_error) || quantity <= 0)
        {
          g_set_error (error, TILL_KEYED_ENTRY_ERROR, TILL_KEYED_ENTRY_ERROR_QUANTITY,
                       _ ("“%s” before × is not a quantity."), parts[0]);
          return FALSE;
        }
      code = g_strstrip (parts[1]);
    }
  else
    code = parts[0];

  if (*code != '\0' && !is_all_digits (code))
    {
      g_set_error (error, TILL_KEYED_ENTRY_ERROR, TILL_KEYED_ENTRY_ERROR_CODE,
                   _ ("“%s” is not a PLU: a PLU has digits only."), code);
      return FALSE;
    }
  if (*code == '\0' && quantity == 0)
    {
      g_set_error_literal (error, TILL_KEYED_ENTRY_ERROR, TILL_KEYED_ENTRY_ERROR_EMPTY,
                           _ ("Type a PLU or a barcode on the keypad first."));
      return FALSE;
    }

  *out_quantity = quantity;
  *out_code = g_strdup (code);
  return TRUE;
}
