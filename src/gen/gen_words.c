/* The generator's vocabulary: see gen/gen_words.h. */
#include "gen/gen_words.h"

const char *const gen_words[] = {
    "Love",  "Night",  "Heart",   "Fire",     "Rain",   "Dream",   "Blue",  "Gold",       "River",
    "Stone", "Summer", "Winter",  "Road",     "Light",  "Shadow",  "Dance", "Song",       "Moon",
    "Sun",   "City",   "Girl",    "Boy",      "Baby",   "Time",    "World", "Home",       "Ghost",
    "Wild",  "Sweet",  "Broken",  "Electric", "Silver", "Lonely",  "Crazy", "Little",     "Happy",
    "Young", "Old",    "Red",     "Black",    "White",  "Cold",    "Hot",   "Dark",       "Bright",
    "Angel", "Devil",  "Sky",     "Ocean",    "Train",  "Highway", "Mercy", "Laundromat", "Radio",
    "Star",  "Rose",   "Thunder", "Echo",     "Velvet", "Paper",   "Glass", "Iron",       "Honey"};
const char *const gen_first_names[] = {
    "Sylvie",  "Jacob", "Lily", "Kaylee",   "Ryan", "Chloe",  "Aleena", "Tegan",  "Jayden",
    "Matthew", "Layla", "Kate", "Mohammad", "Ava",  "Cierra", "Rylan",  "Jordan", "Harper",
    "Stefany", "Lucas", "Sara", "Wyatt",    "Noah", "Emma",   "Olivia", "Liam",   "Mia"};
const char *const gen_last_names[] = {
    "Cruz",    "Klein", "Koch",    "Summers", "Smith",     "Cuevas", "Kirby",  "Levine",
    "Graham",  "Jones", "Griffin", "Harrell", "Rodriguez", "Moore",  "George", "Williams",
    "Johnson", "Brown", "Garcia",  "Miller",  "Davis",     "Lopez",  "Wilson", "Taylor"};
const char *const gen_user_locations[] = {"Washington-Arlington-Alexandria, DC-VA-MD-WV",
                                          "Tampa-St. Petersburg-Clearwater, FL",
                                          "San Francisco-Oakland-Hayward, CA",
                                          "Portland-South Portland, ME",
                                          "Lansing-East Lansing, MI",
                                          "Chicago-Naperville-Elgin, IL-IN-WI",
                                          "Atlanta-Sandy Springs-Roswell, GA",
                                          "New York-Newark-Jersey City, NY-NJ-PA",
                                          "Birmingham-Hoover, AL",
                                          "Red Bluff, CA"};
const char *const gen_user_agents[] = {
    "\"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/36.0.1985.143 Safari/537.36\"",
    "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/36.0.1985.125 Safari/537.36\"",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0",
    "\"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like "
    "Gecko) Version/7.0 Mobile/11D257 Safari/9537.53\"",
    "Mozilla/5.0 (X11; Linux x86_64; rv:31.0) Gecko/20100101 Firefox/31.0"};
const char *const gen_artist_locations[] = {
    "Memphis, TN",  "Hamtramck, MI", "California - LA", "London, England",   "Fort Worth, TX",
    "New York, NY", "Chicago, IL",   "Detroit, MI",     "Kingston, Jamaica", "Paris, France"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const size_t gen_nwords = NELEM(gen_words);
const size_t gen_nfirst_names = NELEM(gen_first_names);
const size_t gen_nlast_names = NELEM(gen_last_names);
const size_t gen_nuser_locations = NELEM(gen_user_locations);
const size_t gen_nuser_agents = NELEM(gen_user_agents);
const size_t gen_nartist_locations = NELEM(gen_artist_locations);
