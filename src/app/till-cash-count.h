/* till-cash-count.h: counting the drawer by denomination, by touch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <till-core.h>

G_BEGIN_DECLS

/* TillCashCounter (TillCashCount is the core's struct of counts): a row per
 * denomination, largest first, with its label, − and + buttons, the count
 * (tap it, then key the number on the keypad beside the rows; Enter goes to
 * the next row) and the row's amount; the live total above the keypad.
 * Nothing here knows what the count is for: the expected cash is never shown
 * by it.
 * Signal: "changed": a count changed.
 * Actions: count.increase(u: denomination), count.decrease(u),
 * count.select(u): the row the keypad types into. */
#define TILL_TYPE_CASH_COUNTER (till_cash_counter_get_type ())
G_DECLARE_FINAL_TYPE (TillCashCounter, till_cash_counter, TILL, CASH_COUNTER, GtkWidget)

GtkWidget *till_cash_counter_new (void);
void       till_cash_counter_get_count (TillCashCounter *self, TillCashCount *out_count);
void       till_cash_counter_set_count (TillCashCounter *self, const TillCashCount *count);
/* Every count back to 0, the first row selected. */
void till_cash_counter_clear (TillCashCounter *self);
/* Σ pieces × value in fen (-1 when absurd, as till_cash_count_get_total). */
gint64 till_cash_counter_get_total (TillCashCounter *self);

/* For tests: what the screen shows, and the buttons a finger taps. */
const char *till_cash_counter_get_total_text (TillCashCounter *self);
const char *till_cash_counter_get_row_amount_text (TillCashCounter *self,
                                                   TillDenomination denomination);
GtkWidget *till_cash_counter_get_plus_button (TillCashCounter *self, TillDenomination denomination);
GtkWidget *till_cash_counter_get_minus_button (TillCashCounter *self,
                                               TillDenomination denomination);
GtkWidget *till_cash_counter_get_count_button (TillCashCounter *self,
                                               TillDenomination denomination);
GtkWidget *till_cash_counter_get_keypad (TillCashCounter *self);

G_END_DECLS
