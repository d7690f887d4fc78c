/* till-display-led8.c: the driver for the 8-digit 7-segment LED 客显 (DEVICES.md §4.1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-display"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "till-display-led8.h"

/* ESC @ resets the display and blanks it; FF blanks the digits. */
static void
led8_encode_init (const TillPoleDisplayConfig *config, GPtrArray *commands)
{
  _till_pole_display_append (_till_pole_display_command (commands), "\x1b\x40", 2);
}

static gboolean
append_lamps (const TillPoleDisplayConfig *config,
              TillPoleDisplayLamps         lamps,
              GPtrArray                   *commands,
              GError                     **error)
{
  GByteArray *command;
  guint       index = 0; /* 1 price, 2 total, 3 paid, 4 change */

  if (config->led_model == TILL_POLE_DISPLAY_LED_LED8N)
    {
      /* STX L d1 d2 d3 d4: every lamp at once, '1' lit. */
      command = _till_pole_display_command (commands);
      _till_pole_display_append (command, "\x02\x4c", 2);
      for (guint bit = 0; bit < 4; bit++)
        {
          char lit = (lamps & (1u << bit)) ? '1' : '0';
          _till_pole_display_append (command, &lit, 1);
        }
      return TRUE;
    }

  /* The ESC s family lights one lamp, which puts out the others. */
  for (guint bit = 0; bit < 4; bit++)
    if (lamps & (1u << bit))
      {
        if (index != 0)
          {
            g_set_error (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_NOT_SUPPORTED,
                         _ ("This display lights only one lamp at a time"));
            return FALSE;
          }
        index = bit + 1;
      }

  switch (config->led_model)
    {
    case TILL_POLE_DISPLAY_LED_GENERIC:
    case TILL_POLE_DISPLAY_LED_PD1800A:
      {
        char bytes[3] = { 0x1b, 0x73, (char) ('0' + index) };
        _till_pole_display_append (_till_pole_display_command (commands), bytes, 3);
      }
      break;
    case TILL_POLE_DISPLAY_LED_HISENSE:
      /* No "all off" command: the clear before a number puts them out. */
      if (index != 0)
        {
          char bytes[3] = { 0x1b, 0x73, (char) index };
          _till_pole_display_append (_till_pole_display_command (commands), bytes, 3);
        }
      break;
    case TILL_POLE_DISPLAY_LED_PARTNER:
      if (index != 0)
        {
          char bytes[4] = { 0x1b, 0x73, (char) (index + 1), 0x01 };
          _till_pole_display_append (_till_pole_display_command (commands), bytes, 4);
        }
      break;
    case TILL_POLE_DISPLAY_LED_EJETON:
      if (index != 0)
        {
          char byte = (char) ('0' + index);
          _till_pole_display_append (_till_pole_display_command (commands), &byte, 1);
        }
      break;
    case TILL_POLE_DISPLAY_LED_LED8N:
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static void
led8_encode_clear (const TillPoleDisplayConfig *config, GPtrArray *commands)
{
  _till_pole_display_append (_till_pole_display_command (commands), "\x0c", 1);
  append_lamps (config, TILL_POLE_DISPLAY_LAMP_NONE, commands, NULL);
}

/* @digits: '0'-'9', '.' and '-' only, checked by the caller. */
static gboolean
led8_encode_number (const TillPoleDisplayConfig *config,
                    const char                  *digits,
                    TillPoleDisplayLamps         lamps,
                    GPtrArray                   *commands,
                    GError                     **error)
{
  g_autoptr (GPtrArray) lamp_commands =
      g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  GByteArray *command;

  /* Lamps first into a scratch list, so that a refused lamp sends nothing. */
  if (!append_lamps (config, lamps, lamp_commands, error))
    return FALSE;
  /* Models without an "all off" command keep their lamp lit over a clear;
   * those that have one are told explicitly by append_lamps. */
  command = _till_pole_display_command (commands);
  _till_pole_display_append (command, "\x1b\x51\x41", 3);
  _till_pole_display_append (command, digits, strlen (digits));
  _till_pole_display_append (command, "\x0d", 1);
  for (guint i = 0; i < lamp_commands->len; i++)
    g_ptr_array_add (commands, g_byte_array_ref (g_ptr_array_index (lamp_commands, i)));
  return TRUE;
}

const TillPoleDisplayDriver _till_display_led8_driver = {
  .name = "led8",
  .columns = 8,
  .rows = 1,
  .encode_init = led8_encode_init,
  .encode_clear = led8_encode_clear,
  .encode_row = NULL,
  .encode_number = led8_encode_number,
  .encode_cursor = NULL,
  .encode_brightness = NULL,
};
