/* till-scale-aclas.c: scale protocol: ACLAS 顶尖 OS2X checkout scale (DEVICES.md §2.5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-scale"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-scale-aclas.h"

/* [S12 pp.18-23]. Active mode (the default) sends 10 frames a second:
 *   01 02 F1 Sg W6 U2 CS 03 04 F2   (16 bytes)
 * F1 'S' stable, 'U' unstable, 'F' over range or not zeroed; Sg '-' or ' ';
 * W6 six ASCII weight characters; U2 the unit; CS the XOR of the 12 bytes
 * before it; F2 bit 4 weight zero, bit 5 tare in effect, bit 6 over range.
 * Passive mode: PC 05 → scale 06, PC 11 → the frame without F2 (15 bytes).
 * Tare "<TK>\t", zero "<ZK>\t", not answered.
 * Where the point sits in W6 is not confirmed (?): a point is honoured, and six
 * digits without one are read as grams (3 decimals of a kg). */
#define SOH 0x01
#define STX 0x02
#define ETX 0x03
#define EOT 0x04
#define ENQ 0x05
#define ACK 0x06
#define DC1 0x11
#define FRAME_ACTIVE 16
#define FRAME_PASSIVE 15

#define F2_ZERO 0x10
#define F2_TARE 0x20
#define F2_OVER 0x40

enum
{
  MODE_ACTIVE,
  MODE_PASSIVE,
};

static gboolean
aclas_setup (GHashTable *options, int *out_mode, gboolean *out_continuous, GError **error)
{
  const char *mode = g_hash_table_lookup (options, "mode");

  if (mode == NULL || g_strcmp0 (mode, "active") == 0)
    *out_mode = MODE_ACTIVE;
  else if (g_strcmp0 (mode, "passive") == 0)
    *out_mode = MODE_PASSIVE;
  else
    {
      g_set_error (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_PROTOCOL,
                   _ ("Unknown mode “%s” for an ACLAS scale (active or passive)"), mode);
      return FALSE;
    }
  *out_continuous = *out_mode == MODE_ACTIVE;
  return TRUE;
}

/* Passive mode: ENQ, wait for ACK, then DC1 asks for the frame. */
static gboolean
aclas_request (TillScale *scale, int mode, guint timeout_ms, GError **error)
{
  static const guint8 enq = ENQ;
  static const guint8 dc1 = DC1;
  gboolean            acked = FALSE;

  if (!_till_scale_write (scale, &enq, 1, error) ||
      !_till_scale_wait_for_byte (scale, ACK, timeout_ms, &acked, error))
    return FALSE;
  if (!acked)
    return TRUE; /* the frame wait times out: no answer */
  return _till_scale_write (scale, &dc1, 1, error);
}

static gboolean
parse_frame (const guint8 *frame, int mode, TillScaleReading *reading)
{
  guint8 xor = 0;
  guint8 f2 = 0;

  for (gsize i = 0; i < 12; i++)
    xor ^= frame[i];
  if (frame[12] != xor || frame[13] != ETX || frame[14] != EOT)
    return FALSE;
  if (mode == MODE_ACTIVE)
    f2 = frame[15];

  *reading = (TillScaleReading){ .tare = TILL_SCALE_TARE_UNKNOWN };
  reading->unit = _till_scale_parse_unit ((const char *) frame + 10, 2);
  if (reading->unit == TILL_SCALE_UNIT_UNKNOWN)
    reading->unit = TILL_SCALE_UNIT_KG;
  if (frame[3] != '-' && frame[3] != ' ' && frame[3] != '+')
    return FALSE;
  if (!_till_scale_parse_weight ((const char *) frame + 4, 6, 3, reading->unit, &reading->weight))
    return FALSE;
  if (frame[3] == '-')
    reading->weight = -reading->weight;
  reading->net = (f2 & F2_TARE) != 0;

  switch (frame[2])
    {
    case 'S':
      reading->state = reading->weight < 0 ? TILL_SCALE_STATE_NEGATIVE : TILL_SCALE_STATE_STABLE;
      break;
    case 'U':
      reading->state = TILL_SCALE_STATE_UNSTABLE;
      break;
    case 'F':
      reading->state = TILL_SCALE_STATE_OVERLOAD;
      break;
    default:
      return FALSE;
    }
  return TRUE;
}

static gboolean
aclas_parse (const guint8 *buffer, gsize len, int mode, gsize *consumed, TillScaleReading *reading)
{
  gsize frame_len = mode == MODE_ACTIVE ? FRAME_ACTIVE : FRAME_PASSIVE;
  gsize start = 0;

  while (TRUE)
    {
      gssize soh = _till_scale_find_byte (buffer, len, start, SOH);

      if (soh < 0)
        {
          *consumed = len;
          return FALSE;
        }
      if ((gsize) soh + 1 < len && buffer[soh + 1] != STX)
        {
          start = (gsize) soh + 1;
          continue;
        }
      if (len - (gsize) soh < frame_len)
        {
          *consumed = (gsize) soh;
          return FALSE;
        }
      if (parse_frame (buffer + soh, mode, reading))
        {
          *consumed = (gsize) soh + frame_len;
          return TRUE;
        }
      /* A cut frame (the next one starts inside it) or a corrupt one. */
      start = (gsize) soh + 1;
    }
}

const TillScaleProtocol till_scale_protocol_aclas = {
  .name = "aclas-os2x",
  .serial_defaults = "baud=9600&bits=8&parity=none&stop=1",
  .setup = aclas_setup,
  .request = aclas_request,
  .parse = aclas_parse,
  .tare = "<TK>\t",
  .zero = "<ZK>\t",
  .answers_commands = FALSE,
};
