/* till-uuid.c: time-ordered identifiers (UUIDv7, RFC 9562)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-uuid"

#include "config.h"

#include <openssl/rand.h>
#include <string.h>

#include "till-uuid.h"

/* Layout (RFC 9562 §5.7), most significant bits first:
 *   48 bits unix_ts_ms | 4 bits version (7) | 12 bits rand_a |
 *    2 bits variant (10) | 62 bits rand_b
 *
 * Within one process the identifiers are strictly increasing (RFC 9562 §6.2,
 * method 1): when the millisecond repeats, rand_a is a counter that goes up by one
 * from its random start; a fresh millisecond reseeds it with 11 random bits so that
 * there is room to count. If the counter runs out, or the clock steps back, the
 * timestamp is carried forward past the last one handed out. Sales sorted by uuid
 * are then sorted by time of creation. */

#define UUID_TEXT_LEN 36
#define MAX_UNIX_MS ((G_GINT64_CONSTANT (1) << 48) - 1)

static GMutex last_lock;
static gint64 last_ms = -1;       /* the timestamp of the last identifier made */
static gint64 last_asked_ms = -1; /* the time it was asked for (last_ms may be ahead) */
static guint  last_counter;

static void
random_bytes (guint8 *buffer, gsize len)
{
  if (RAND_bytes (buffer, (int) len) != 1)
    {
      /* OpenSSL's DRBG only fails when the system has no entropy source at all;
       * an identifier must not silently lose its randomness. */
      g_error ("The system random number generator failed");
    }
}

static char *
format_uuid (const guint8 bytes[16])
{
  static const char hex[] = "0123456789abcdef";
  char             *text = g_malloc (UUID_TEXT_LEN + 1);
  char             *out = text;

  for (int i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        *out++ = '-';
      *out++ = hex[bytes[i] >> 4];
      *out++ = hex[bytes[i] & 0x0f];
    }
  *out = '\0';
  return text;
}

static char *
make_uuid (gint64 unix_ms, guint counter)
{
  guint8 bytes[16];

  random_bytes (bytes + 8, 8);
  for (int i = 0; i < 6; i++)
    bytes[i] = (guint8) (unix_ms >> (40 - 8 * i));
  bytes[6] = (guint8) (0x70 | ((counter >> 8) & 0x0f));
  bytes[7] = (guint8) (counter & 0xff);
  bytes[8] = (guint8) (0x80 | (bytes[8] & 0x3f));
  return format_uuid (bytes);
}

static guint
random_counter_seed (void)
{
  guint8 seed[2];

  random_bytes (seed, sizeof seed);
  /* 11 of the 12 bits: at least 2048 more identifiers fit in the same millisecond. */
  return ((guint) seed[0] << 8 | seed[1]) & 0x7ff;
}

/* Picks the (timestamp, counter) pair for the next identifier at @unix_ms, so that
 * it sorts after every one handed out before. */
static void
next_position (gint64 unix_ms, gint64 *out_ms, guint *out_counter)
{
  g_mutex_lock (&last_lock);
  last_asked_ms = unix_ms;
  if (unix_ms > last_ms)
    {
      last_ms = unix_ms;
      last_counter = random_counter_seed ();
    }
  else if (last_counter < 0xfff)
    last_counter++;
  else
    {
      last_ms++;
      last_counter = random_counter_seed ();
    }
  *out_ms = last_ms;
  *out_counter = last_counter;
  g_mutex_unlock (&last_lock);
}

/**
 * till_uuid_v7_new:
 *
 * Returns: (transfer full): a new UUIDv7 in lower-case canonical text, greater than
 *   every one this process made before
 */
char *
till_uuid_v7_new (void)
{
  gint64 ms;
  guint  counter;

  /* Always in order, even when the system clock steps back. */
  next_position (g_get_real_time () / 1000, &ms, &counter);
  return make_uuid (ms, counter);
}

/**
 * till_uuid_v7_new_at:
 * @unix_ms: milliseconds since the Unix epoch
 *
 * Makes a UUIDv7 for the given time. When @unix_ms is not earlier than the time
 * the last identifier was asked for, the result keeps the process-wide order; an
 * earlier time (for back-dated records and tests) gets a random rand_a and leaves
 * the order alone.
 *
 * Returns: (transfer full): the identifier in lower-case canonical text
 */
char *
till_uuid_v7_new_at (gint64 unix_ms)
{
  gint64   ms;
  guint    counter;
  gboolean in_order;

  g_return_val_if_fail (unix_ms >= 0 && unix_ms <= MAX_UNIX_MS, NULL);

  g_mutex_lock (&last_lock);
  in_order = unix_ms >= last_asked_ms;
  g_mutex_unlock (&last_lock);

  if (in_order)
    next_position (unix_ms, &ms, &counter);
  else
    {
      guint8 seed[2];

      random_bytes (seed, sizeof seed);
      ms = unix_ms;
      counter = ((guint) seed[0] << 8 | seed[1]) & 0xfff;
    }
  return make_uuid (ms, counter);
}

/**
 * till_uuid_is_valid:
 * @text: (nullable): a string
 *
 * Checks the canonical form the till writes and compares as text:
 * 8-4-4-4-12 lower-case hex digits. Any version is accepted.
 */
gboolean
till_uuid_is_valid (const char *text)
{
  if (text == NULL || strlen (text) != UUID_TEXT_LEN)
    return FALSE;

  for (int i = 0; i < UUID_TEXT_LEN; i++)
    {
      char c = text[i];

      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (c != '-')
            return FALSE;
        }
      else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
        return FALSE;
    }
  return TRUE;
}

/**
 * till_uuid_v7_get_time:
 * @uuid: a UUIDv7 in canonical text
 *
 * Returns: the Unix time in milliseconds carried by @uuid, or -1 when @uuid is
 *   not a valid version 7 identifier
 */
gint64
till_uuid_v7_get_time (const char *uuid)
{
  gint64 ms = 0;

  if (!till_uuid_is_valid (uuid) || uuid[14] != '7' || strchr ("89ab", uuid[19]) == NULL)
    return -1;

  /* The first 48 bits are the 8 + 4 hex digits before the second dash. */
  for (int i = 0; i < 13; i++)
    {
      if (i == 8)
        continue;
      ms = (ms << 4) | g_ascii_xdigit_value (uuid[i]);
    }
  return ms;
}
