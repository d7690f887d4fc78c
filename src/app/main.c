/* main.c: the opentill program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-app"

#include "config.h"

#include "till-application.h"
#include "till-config.h"

/* The language must be set before the first string is translated, which is before
 * GApplication parses --config: look for it by hand. */
static const char *
find_config_option (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], "--config") && i + 1 < argc)
        return argv[i + 1];
      if (g_str_has_prefix (argv[i], "--config="))
        return argv[i] + strlen ("--config=");
    }
  return NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr (TillApplication) app = NULL;
  g_autofree char *language = till_config_peek_language (find_config_option (argc, argv));

  till_application_setup_i18n (language);

  app = till_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
