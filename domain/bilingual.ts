/** Wording shown to people: Chinese first, English alongside. */
export interface Bilingual {
  zh: string;
  en: string;
}
