/* SPDX-License-Identifier: MIT */
/* Placeholder: written as part of issue 3. */
