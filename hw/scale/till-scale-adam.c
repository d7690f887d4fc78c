/* till-scale-adam.c: scale protocol: Adam Equipment AZextra (DEVICES.md §2.2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-scale"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-scale-adam.h"

/* 8 data bits, no parity; `P\r\n` prints, `T\r\n` tares, `Z\r\n` zeroes [S8];
 * Odoo talks 4800 baud and reads `\s*([0-9.]+)kg` [S6]. The scale answers only
 * when it has a new non-zero weight: silence means "same as before" [S6], so
 * the last reading stands for a while (silence_repeats_ms). In continuous mode
 * (the scale set to print continuously) the same lines arrive unasked. The
 * documented format carries no motion or overload flag (?): a line is a stable
 * weight, negative when signed. */
#define MAX_LINE 40

enum
{
  MODE_REQUEST,
  MODE_CONTINUOUS,
};

static gboolean
adam_setup (GHashTable *options, int *out_mode, gboolean *out_continuous, GError **error)
{
  const char *mode = g_hash_table_lookup (options, "mode");

  if (mode == NULL || g_strcmp0 (mode, "request") == 0)
    *out_mode = MODE_REQUEST;
  else if (g_strcmp0 (mode, "continuous") == 0)
    *out_mode = MODE_CONTINUOUS;
  else
    {
      g_set_error (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_PROTOCOL,
                   _ ("Unknown mode “%s” for an Adam scale (request or continuous)"), mode);
      return FALSE;
    }
  *out_continuous = *out_mode == MODE_CONTINUOUS;
  return TRUE;
}

static gboolean
adam_request (TillScale *scale, int mode, guint timeout_ms, GError **error)
{
  return _till_scale_write (scale, "P\r\n", 3, error);
}

/* "  1.234kg", "-  0.500 kg", "12.5 lb". */
static gboolean
parse_line (const char *line, gsize len, TillScaleReading *reading)
{
  gsize number_start;
  gsize unit_start;

  while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r'))
    len--;
  unit_start = len;
  while (unit_start > 0 && g_ascii_isalpha (line[unit_start - 1]))
    unit_start--;
  if (unit_start == len)
    return FALSE;
  /* Line noise glued before the number (no line end between) is skipped: the
   * number is the run of blanks, sign, digits and point before the unit. */
  number_start = unit_start;
  while (number_start > 0 && line[number_start - 1] != '\0' &&
         strchr (" +-.0123456789", line[number_start - 1]) != NULL)
    number_start--;

  *reading = (TillScaleReading){ .tare = TILL_SCALE_TARE_UNKNOWN };
  reading->unit = _till_scale_parse_unit (line + unit_start, len - unit_start);
  if (reading->unit == TILL_SCALE_UNIT_UNKNOWN ||
      !_till_scale_parse_weight (line + number_start, unit_start - number_start, -1, reading->unit,
                                 &reading->weight))
    return FALSE;
  reading->state = reading->weight < 0 ? TILL_SCALE_STATE_NEGATIVE : TILL_SCALE_STATE_STABLE;
  return TRUE;
}

static gboolean
adam_parse (const guint8 *buffer, gsize len, int mode, gsize *consumed, TillScaleReading *reading)
{
  gsize start = 0;

  while (TRUE)
    {
      gssize lf = _till_scale_find_byte (buffer, len, start, '\n');

      if (lf < 0)
        {
          /* A line still arriving, unless it is already too long to be one. */
          *consumed = len - start > MAX_LINE ? len : start;
          return FALSE;
        }
      if ((gsize) lf - start <= MAX_LINE &&
          parse_line ((const char *) buffer + start, (gsize) lf - start, reading))
        {
          *consumed = (gsize) lf + 1;
          return TRUE;
        }
      start = (gsize) lf + 1;
    }
}

const TillScaleProtocol till_scale_protocol_adam = {
  .name = "adam",
  .serial_defaults = "baud=4800&bits=8&parity=none&stop=1",
  .setup = adam_setup,
  .request = adam_request,
  .parse = adam_parse,
  .tare = "T\r\n",
  .zero = "Z\r\n",
  .answers_commands = FALSE,
  .silence_repeats_ms = 10000,
};
