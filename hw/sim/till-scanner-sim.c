/* till-scanner-sim.c: a serial barcode scanner on a pseudo-terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sim"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

#include "till-pty.h"
#include "till-scanner-sim.h"

struct _TillScannerSim
{
  int   master_fd;
  char *device_path;
  char *prefix;
  char *suffix;
};

/**
 * till_scanner_sim_new:
 *
 * Returns: (transfer full): a scanner waiting to scan, or NULL with @error set
 */
TillScannerSim *
till_scanner_sim_new (const char *prefix, const char *suffix, GError **error)
{
  TillScannerSim *self;
  int             master_fd;
  char           *device_path;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!till_pty_open (&master_fd, &device_path, error))
    return NULL;
  self = g_new0 (TillScannerSim, 1);
  self->master_fd = master_fd;
  self->device_path = device_path;
  self->prefix = g_strdup (prefix != NULL ? prefix : "");
  self->suffix = g_strdup (suffix != NULL ? suffix : "");
  return self;
}

void
till_scanner_sim_free (TillScannerSim *self)
{
  if (self == NULL)
    return;
  till_scanner_sim_unplug (self);
  g_free (self->device_path);
  g_free (self->prefix);
  g_free (self->suffix);
  g_free (self);
}

const char *
till_scanner_sim_get_device_path (TillScannerSim *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->device_path;
}

char *
till_scanner_sim_get_uri (TillScannerSim *self, const char *extra_query)
{
  g_autofree char *prefix = NULL;
  g_autofree char *suffix = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  /* Escape every byte outside the unreserved set, as a config file would. */
  prefix = g_uri_escape_string (self->prefix, NULL, FALSE);
  suffix = g_uri_escape_string (self->suffix, NULL, FALSE);
  return g_strdup_printf ("serial://%s?baud=9600&protocol=scanner&prefix=%s&suffix=%s%s%s",
                          self->device_path, prefix, *self->suffix != '\0' ? suffix : "none",
                          extra_query != NULL ? "&" : "", extra_query != NULL ? extra_query : "");
}

gboolean
till_scanner_sim_send_raw (TillScannerSim *self, const guint8 *data, gsize len, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  while (len > 0)
    {
      gssize n = self->master_fd >= 0 ? write (self->master_fd, data, len) : -1;

      if (n < 0)
        {
          int saved_errno = self->master_fd >= 0 ? errno : EBADF;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "The scanner simulator on %s cannot send: %s", self->device_path,
                       g_strerror (saved_errno));
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gboolean
send_string (TillScannerSim *self, const char *text, guint char_delay_us, GError **error)
{
  gsize len = strlen (text);

  if (char_delay_us == 0)
    return till_scanner_sim_send_raw (self, (const guint8 *) text, len, error);
  for (gsize i = 0; i < len; i++)
    {
      if (!till_scanner_sim_send_raw (self, (const guint8 *) text + i, 1, error))
        return FALSE;
      g_usleep (char_delay_us);
    }
  return TRUE;
}

gboolean
till_scanner_sim_scan (TillScannerSim *self, const char *code, guint char_delay_us, GError **error)
{
  g_autofree char *scan = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  scan = g_strconcat (self->prefix, code, self->suffix, NULL);
  return send_string (self, scan, char_delay_us, error);
}

gboolean
till_scanner_sim_scan_cut (TillScannerSim *self, const char *code, gsize cut_at, GError **error)
{
  g_autofree char *scan = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  scan = g_strconcat (self->prefix, code, NULL);
  scan[strlen (self->prefix) + MIN (cut_at, strlen (code))] = '\0';
  return send_string (self, scan, 0, error);
}

gboolean
till_scanner_sim_send_noise (TillScannerSim *self, gsize len, guint32 seed, GError **error)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *noise = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (len > 0, FALSE);

  noise = g_malloc (len);
  for (gsize i = 0; i < len; i++)
    {
      guint8 byte;

      do
        byte = (guint8) g_rand_int_range (rand, 0, 256);
      while (byte == '\r' || byte == '\n' || byte == '\0' || strchr (self->prefix, byte) != NULL ||
             strchr (self->suffix, byte) != NULL);
      noise[i] = byte;
    }
  /* A glitch on the line garbles at least one byte into a control byte. */
  noise[g_rand_int_range (rand, 0, (gint32) len)] = 0x07;
  return till_scanner_sim_send_raw (self, noise, len, error);
}

void
till_scanner_sim_unplug (TillScannerSim *self)
{
  g_return_if_fail (self != NULL);

  if (self->master_fd >= 0)
    {
      close (self->master_fd);
      self->master_fd = -1;
    }
}
