/* till-scale-toledo.c: scale protocol: Mettler-Toledo 8217 (DEVICES.md §2.1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-scale"

#include "config.h"

#include <string.h>

#include "till-scale-toledo.h"

/* 9600 7E1, commands without terminator [S6]. `W` is answered with
 * STX <weight> [N] CR, "WW.WWW" in kg or "0WW.WW" in lb [S7 p.44], or with
 * STX ? <status> CR when there is no valid weight [S7]. */
#define STX 0x02
#define CR 0x0D
/* Longest frame body: "0WW.WWN" and a little slack. */
#define MAX_BODY 12

/* Status bits [S7 p.45]; bit 6 is always set (Odoo calls it "bad command"
 * [S6b]; the manual wins, DEVICES.md §2.1 (!)). */
#define STATUS_MOTION 0x01
#define STATUS_OVER 0x02
#define STATUS_UNDER_ZERO 0x04
#define STATUS_ZERO_RANGE 0x08
#define STATUS_NET 0x20

static gboolean
toledo_request (TillScale *scale, int mode, guint timeout_ms, GError **error)
{
  return _till_scale_write (scale, "W", 1, error);
}

static gboolean
parse_body (const char *body, gsize len, TillScaleReading *reading)
{
  *reading = (TillScaleReading){ .tare = TILL_SCALE_TARE_UNKNOWN };

  if (len == 2 && body[0] == '?')
    {
      guint8 status = (guint8) body[1];

      reading->weight = 0;
      reading->unit = TILL_SCALE_UNIT_UNKNOWN;
      reading->net = (status & STATUS_NET) != 0;
      if (status & STATUS_OVER)
        reading->state = TILL_SCALE_STATE_OVERLOAD;
      else if (status & STATUS_UNDER_ZERO)
        reading->state = TILL_SCALE_STATE_NEGATIVE;
      else if (status & STATUS_ZERO_RANGE)
        reading->state = TILL_SCALE_STATE_ERROR;
      else if (status & STATUS_MOTION)
        reading->state = TILL_SCALE_STATE_UNSTABLE;
      else
        /* "No valid weight" with no reason given: the answer to a tare or zero. */
        reading->state = TILL_SCALE_STATE_ERROR;
      return TRUE;
    }

  if (len > 0 && body[len - 1] == 'N')
    {
      reading->net = TRUE;
      len--;
    }
  /* Three decimals is kg, two is lb [S7 p.44]. */
  {
    const char *point = memchr (body, '.', len);
    gsize       decimals = point != NULL ? len - (gsize) (point - body) - 1 : 0;

    if (decimals == 3)
      reading->unit = TILL_SCALE_UNIT_KG;
    else if (decimals == 2)
      reading->unit = TILL_SCALE_UNIT_LB;
    else
      return FALSE;
  }
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (body[i]) && body[i] != '.' && body[i] != ' ')
      return FALSE;
  if (!_till_scale_parse_weight (body, len, -1, reading->unit, &reading->weight))
    return FALSE;
  reading->state = TILL_SCALE_STATE_STABLE;
  return TRUE;
}

static gboolean
toledo_parse (const guint8 *buffer, gsize len, int mode, gsize *consumed, TillScaleReading *reading)
{
  gsize start = 0;

  while (TRUE)
    {
      gssize stx = _till_scale_find_byte (buffer, len, start, STX);
      char   body[MAX_BODY + 1];
      gsize  n = 0;
      gsize  i;

      if (stx < 0)
        {
          *consumed = len;
          return FALSE;
        }
      /* The line is 7 bits with even parity: a UART takes the parity off; over
       * a plain 8-bit path it arrives in bit 7, which is masked. */
      for (i = (gsize) stx + 1; i < len && n <= MAX_BODY; i++)
        {
          guint8 c = buffer[i] & 0x7F;

          if (c == STX || c == CR)
            break;
          body[n++] = (char) c;
        }
      if (i < len && (buffer[i] & 0x7F) == CR && n <= MAX_BODY && parse_body (body, n, reading))
        {
          *consumed = i + 1;
          return TRUE;
        }
      if (i >= len && n <= MAX_BODY)
        {
          /* Perhaps a frame still arriving: keep it. */
          *consumed = (gsize) stx;
          return FALSE;
        }
      /* A frame cut by the next STX, too long, or not a weight: skip it. */
      start = (gsize) stx + 1;
    }
}

const TillScaleProtocol till_scale_protocol_toledo_8217 = {
  .name = "toledo-8217",
  .serial_defaults = "baud=9600&bits=7&parity=even&stop=1",
  .request = toledo_request,
  .parse = toledo_parse,
  .tare = "T",
  .zero = "Z",
  .answers_commands = TRUE,
};
