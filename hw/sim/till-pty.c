/* till-pty.c: a raw pseudo-terminal pair, the stand-in for a serial cable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sim"
/* posix_openpt, grantpt, unlockpt and ptsname. */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "till-pty.h"

gboolean
till_pty_set_raw (int fd, GError **error)
{
  struct termios tio;

  /* The default line discipline turns LF into CR LF and eats 0x12 (^R) and
   * friends: binary device protocols need none of it. */
  if (tcgetattr (fd, &tio) != 0)
    goto failed;
  cfmakeraw (&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  cfsetspeed (&tio, B9600);
  if (tcsetattr (fd, TCSANOW, &tio) != 0)
    goto failed;
  return TRUE;

failed:
  {
    int saved_errno = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "Cannot make the terminal raw: %s", g_strerror (saved_errno));
    return FALSE;
  }
}

gboolean
till_pty_open (int *out_master_fd, char **out_device_path, GError **error)
{
  int         master;
  int         device;
  const char *name;

  g_return_val_if_fail (out_master_fd != NULL && out_device_path != NULL, FALSE);

  master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt (master) != 0 || unlockpt (master) != 0 ||
      (name = ptsname (master)) == NULL)
    {
      int saved_errno = errno;

      if (master >= 0)
        close (master);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot open a pseudo-terminal: %s", g_strerror (saved_errno));
      return FALSE;
    }

  /* Make the device end raw too before anyone opens it: its settings outlive
   * this descriptor, which only serves to set them. */
  device = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (device < 0 || !till_pty_set_raw (device, error) || !till_pty_set_raw (master, error))
    {
      if (device < 0)
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "Cannot open %s: %s", name,
                     g_strerror (errno));
      if (device >= 0)
        close (device);
      close (master);
      return FALSE;
    }
  close (device);

  *out_master_fd = master;
  *out_device_path = g_strdup (name);
  return TRUE;
}
