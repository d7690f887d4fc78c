/* till-scale-cas.c: scale protocols: CAS PD-II and the CAS continuous indicator
 * format (DEVICES.md §2.3, §2.4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-scale"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-scale-cas.h"

#define CR 0x0D
#define LF 0x0A
#define MAX_LINE 40

/* ---- CAS PD-II (uniCenta/Chromis `caspdii` [S9]) ----------------------------
 * 9600 7E1; `W` is answered with digits and '.' up to CR; any other byte starts
 * the number again; a number without a point is grams (?). No status flags. */

static gboolean
pd2_request (TillScale *scale, int mode, guint timeout_ms, GError **error)
{
  return _till_scale_write (scale, "W", 1, error);
}

static gboolean
pd2_parse (const guint8 *buffer, gsize len, int mode, gsize *consumed, TillScaleReading *reading)
{
  gsize number_start = 0;

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = buffer[i] & 0x7F; /* 7 data bits */

      if (c == CR)
        {
          char  text[MAX_LINE];
          gsize n = i - number_start;

          if (n > 0 && n < sizeof text)
            {
              gboolean has_point;

              for (gsize k = 0; k < n; k++)
                text[k] = (char) (buffer[number_start + k] & 0x7F);
              has_point = memchr (text, '.', n) != NULL;
              *reading = (TillScaleReading){ .tare = TILL_SCALE_TARE_UNKNOWN };
              reading->unit = has_point ? TILL_SCALE_UNIT_KG : TILL_SCALE_UNIT_G;
              if (_till_scale_parse_weight (text, n, -1, reading->unit, &reading->weight))
                {
                  reading->state = TILL_SCALE_STATE_STABLE;
                  *consumed = i + 1;
                  return TRUE;
                }
            }
          number_start = i + 1;
        }
      else if (!g_ascii_isdigit (c) && c != '.')
        number_start = i + 1;
    }
  *consumed = len - number_start > MAX_LINE ? len : number_start;
  return FALSE;
}

const TillScaleProtocol till_scale_protocol_cas_pd2 = {
  .name = "cas-pd2",
  .serial_defaults = "baud=9600&bits=7&parity=even&stop=1",
  .request = pd2_request,
  .parse = pd2_parse,
};

/* ---- CAS continuous indicator format [S10][S11] ----------------------------
 * CAS CI/NT/PDS: 22 bytes "ST,GS,<id><lamp>,<8-byte weight> kg\r\n", ST
 * stable, US unstable, OL overload; GS gross, NT net; lamp bit 6 stable, bit 2
 * gross, bit 1 tare, bit 0 zero [S10]. The generic Chinese indicator sends
 * "ST,GS,+0012.345kg\r\n", and "OL,GS,-" for under-load [S11]. Both are read.
 * In command mode the indicator answers WT with one frame; ZE zeroes, TR
 * tares [S10] (sent as bare two letters: no terminator is documented (?)). */

enum
{
  MODE_CONTINUOUS,
  MODE_REQUEST,
};

static gboolean
cas_setup (GHashTable *options, int *out_mode, gboolean *out_continuous, GError **error)
{
  const char *mode = g_hash_table_lookup (options, "mode");

  if (mode == NULL || g_strcmp0 (mode, "continuous") == 0)
    *out_mode = MODE_CONTINUOUS;
  else if (g_strcmp0 (mode, "request") == 0)
    *out_mode = MODE_REQUEST;
  else
    {
      g_set_error (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_PROTOCOL,
                   _ ("Unknown mode “%s” for a CAS indicator (continuous or request)"), mode);
      return FALSE;
    }
  *out_continuous = *out_mode == MODE_CONTINUOUS;
  return TRUE;
}

static gboolean
cas_request (TillScale *scale, int mode, guint timeout_ms, GError **error)
{
  return _till_scale_write (scale, "WT", 2, error);
}

static gboolean
parse_cas_line (const char *line, gsize len, TillScaleReading *reading)
{
  const char *weight;
  const char *end = line + len;
  const char *unit;
  gboolean    under = FALSE;

  if (len < 8 || line[2] != ',' || line[5] != ',')
    return FALSE;
  *reading = (TillScaleReading){ .tare = TILL_SCALE_TARE_UNKNOWN };
  if (memcmp (line + 3, "GS", 2) == 0)
    reading->net = FALSE;
  else if (memcmp (line + 3, "NT", 2) == 0)
    reading->net = TRUE;
  else
    return FALSE;

  weight = line + 6;
  /* The CAS form has "<id><lamp>," before the weight; the generic one not. */
  if (end - weight > 3 && weight[2] == ',')
    weight += 3;

  unit = end;
  while (unit > weight && g_ascii_isalpha (unit[-1]))
    unit--;
  reading->unit = _till_scale_parse_unit (unit, (gsize) (end - unit));
  if (reading->unit == TILL_SCALE_UNIT_UNKNOWN)
    return FALSE;

  if (memcmp (line, "OL", 2) == 0)
    {
      /* Overload or under-load: the figure is dashes or "OL"; the sign tells. */
      for (const char *c = weight; c < unit; c++)
        if (*c == '-')
          under = TRUE;
      reading->state = under ? TILL_SCALE_STATE_UNDERLOAD : TILL_SCALE_STATE_OVERLOAD;
      reading->weight = 0;
      return TRUE;
    }
  if (!_till_scale_parse_weight (weight, (gsize) (unit - weight), -1, reading->unit,
                                 &reading->weight))
    return FALSE;
  if (memcmp (line, "US", 2) == 0)
    reading->state = TILL_SCALE_STATE_UNSTABLE;
  else if (memcmp (line, "ST", 2) == 0)
    reading->state = reading->weight < 0 ? TILL_SCALE_STATE_NEGATIVE : TILL_SCALE_STATE_STABLE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
cas_parse (const guint8 *buffer, gsize len, int mode, gsize *consumed, TillScaleReading *reading)
{
  gsize start = 0;

  while (TRUE)
    {
      gssize lf = _till_scale_find_byte (buffer, len, start, LF);
      gsize  line_len;

      if (lf < 0)
        {
          *consumed = len - start > MAX_LINE ? len : start;
          return FALSE;
        }
      line_len = (gsize) lf - start;
      if (line_len > 0 && buffer[lf - 1] == CR)
        line_len--;
      /* A cut frame glued to the next one: read from the last header in the
       * line, so the whole frame at its end still counts. */
      for (gsize k = line_len >= 6 ? line_len - 6 : 0; k > 0; k--)
        {
          const char *c = (const char *) buffer + start + k;

          if (c[2] == ',' &&
              (memcmp (c, "ST", 2) == 0 || memcmp (c, "US", 2) == 0 || memcmp (c, "OL", 2) == 0))
            {
              start += k;
              line_len -= k;
              break;
            }
        }
      if (line_len <= MAX_LINE && parse_cas_line ((const char *) buffer + start, line_len, reading))
        {
          *consumed = (gsize) lf + 1;
          return TRUE;
        }
      start = (gsize) lf + 1;
    }
}

const TillScaleProtocol till_scale_protocol_cas = {
  .name = "cas",
  .serial_defaults = "baud=9600&bits=8&parity=none&stop=1",
  .setup = cas_setup,
  .request = cas_request,
  .parse = cas_parse,
  .tare = "TR",
  .zero = "ZE",
  .answers_commands = FALSE,
};
