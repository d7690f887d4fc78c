/* till-config.c: the till's configuration file (GKeyFile)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include <gio/gio.h>

#include "till-config.h"
#include "till-scan-detector.h"

#define DEFAULT_LANGUAGE "zh_CN"

static char *
dup_nonempty_string (GKeyFile *keyfile, const char *group, const char *key)
{
  g_autofree char *value = g_key_file_get_string (keyfile, group, key, NULL);

  if (value != NULL)
    g_strstrip (value);
  if (value == NULL || *value == '\0')
    return NULL;
  return g_steal_pointer (&value);
}

/* "enter", "tab" or one printable character; anything else is Enter, with a
 * note in the log (a scanner setting must not stop the till from starting). */
static gunichar
parse_scanner_suffix (const char *text)
{
  gunichar character;

  if (text == NULL || g_ascii_strcasecmp (text, "enter") == 0)
    return TILL_SCAN_SUFFIX_ENTER;
  if (g_ascii_strcasecmp (text, "tab") == 0)
    return TILL_SCAN_SUFFIX_TAB;
  character = g_utf8_get_char_validated (text, -1);
  if (character != (gunichar) -1 && character != (gunichar) -2 && g_unichar_isprint (character) &&
      *g_utf8_next_char (text) == '\0')
    return character;
  g_message ("scanner-suffix=%s is not enter, tab or one character: using enter", text);
  return TILL_SCAN_SUFFIX_ENTER;
}

char *
till_config_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "opentill", "till.conf", NULL);
}

char *
till_config_default_database (void)
{
  return g_build_filename (g_get_user_data_dir (), "opentill", "till.db", NULL);
}

void
till_config_free (TillConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_free (self->database);
  g_free (self->language);
  g_free (self->printer_uri);
  g_free (self->drawer_uri);
  g_free (self->scale_uri);
  g_free (self->display_uri);
  g_free (self->scanner_uri);
  g_free (self->camera_uri);
  g_free (self->customer_screen);
  g_free (self->scanner_prefix);
  g_free (self);
}

/**
 * till_config_load:
 * @path: (nullable): the configuration file, or %NULL for the default one
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the configuration, or %NULL with @error set
 */
TillConfig *
till_config_load (const char *path, GError **error)
{
  g_autoptr (TillConfig) self = g_new0 (TillConfig, 1);
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *default_path = NULL;
  g_autoptr (GError) local_error = NULL;

  if (path == NULL)
    path = default_path = till_config_default_path ();

  if (g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &local_error))
    {
      self->path = g_strdup (path);
      self->database = dup_nonempty_string (keyfile, "till", "database");
      self->language = dup_nonempty_string (keyfile, "till", "language");
      self->printer_uri = dup_nonempty_string (keyfile, "devices", "printer");
      self->drawer_uri = dup_nonempty_string (keyfile, "devices", "drawer");
      self->scale_uri = dup_nonempty_string (keyfile, "devices", "scale");
      self->display_uri = dup_nonempty_string (keyfile, "devices", "display");
      self->scanner_uri = dup_nonempty_string (keyfile, "devices", "scanner");
      self->camera_uri = dup_nonempty_string (keyfile, "devices", "camera");
      self->customer_screen = dup_nonempty_string (keyfile, "devices", "customer-screen");
      self->scanner_prefix = dup_nonempty_string (keyfile, "devices", "scanner-prefix");
      {
        g_autofree char *suffix = dup_nonempty_string (keyfile, "devices", "scanner-suffix");
        self->scanner_suffix = parse_scanner_suffix (suffix);
      }
    }
  else if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, local_error->domain, local_error->code, "%s: %s", path,
                   local_error->message);
      return NULL;
    }

  if (self->database == NULL)
    self->database = till_config_default_database ();
  if (self->language == NULL)
    self->language = g_strdup (DEFAULT_LANGUAGE);
  if (self->drawer_uri == NULL)
    self->drawer_uri = g_strdup ("printer");
  if (self->customer_screen == NULL)
    self->customer_screen = g_strdup ("auto");
  if (self->scanner_suffix == 0)
    self->scanner_suffix = TILL_SCAN_SUFFIX_ENTER;
  return g_steal_pointer (&self);
}

char *
till_config_peek_language (const char *path)
{
  g_autoptr (TillConfig) config = till_config_load (path, NULL);

  return g_strdup (config != NULL ? config->language : DEFAULT_LANGUAGE);
}
