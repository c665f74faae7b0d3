package dev.roan.example.petclinic;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Plain HTML for the clinic's pages, with forms a person can click through. A page holds nothing but what the
 * database says (no clock, no session), so a fresh render equals the cached page exactly when the cache is fresh.
 */
final class Pages {

    private Pages() {
    }

    static String owner(Clinic.OwnerPage page, List<Clinic.Type> types) {
        Clinic.Owner owner = page.owner();
        String base = "/owners/" + owner.id();
        StringBuilder html = new StringBuilder();
        html.append("<h1>").append(escape(owner.name())).append("</h1>\n");
        details(html, owner);
        html.append("<h2>Pets and visits</h2>\n");
        if (page.pets().isEmpty()) {
            html.append("<p>No pets yet.</p>\n");
        }
        for (Clinic.Pet pet : page.pets()) {
            String petBase = base + "/pets/" + pet.id();
            html.append("<h3>").append(escape(pet.name())).append("</h3>\n")
                    .append("<p>").append(escape(pet.type())).append(", born ").append(pet.birthDate())
                    .append(" · <a href=\"").append(petBase).append("/edit\">Edit pet</a>")
                    .append(" · <a href=\"").append(petBase).append("/visits/new\">Add visit</a></p>\n");
            visits(html, pet.visits());
        }
        html.append("""
                <h2>Edit owner</h2>
                <form method="post" action="%s/edit">
                %s  <p><button>Update owner</button></p>
                </form>
                <h2>Add a pet</h2>
                <form method="post" action="%s/pets/new">
                %s  <p><button>Add pet</button></p>
                </form>
                <h2>Change the telephone only</h2>
                <form method="post" action="%s/telephone">
                %s  <p><button>Change telephone</button></p>
                </form>
                """.formatted(base, ownerFields(owner), base, petFields(null, types), base,
                field("Telephone", "telephone", owner.telephone())));
        return page(owner.name(), html);
    }

    /** The owners whose last name is exactly the one searched for. */
    static String search(String lastName, List<Clinic.Listed> owners) {
        StringBuilder html = new StringBuilder("<h1>Owners named ").append(escape(lastName)).append("</h1>\n");
        listed(html, owners);
        return page("Owners named " + lastName, html);
    }

    /** The owners whose last name starts with the prefix searched for. */
    static String prefixSearch(String prefix, List<Clinic.Listed> owners) {
        StringBuilder html = new StringBuilder("<h1>Owners whose name starts with ").append(escape(prefix))
                .append("</h1>\n");
        listed(html, owners);
        return page("Owners: " + prefix + "…", html);
    }

    static String ownersPage(int number, List<Clinic.Listed> owners) {
        StringBuilder html = new StringBuilder("<h1>Owners, page ").append(number).append("</h1>\n");
        listed(html, owners);
        html.append("<p>");
        if (number > 1) {
            html.append("<a href=\"/owners?page=").append(number - 1).append("\">Previous</a> · ");
        }
        html.append("<a href=\"/owners?page=").append(number + 1).append("\">Next</a></p>\n");
        html.append("""
                <h2>Register an owner</h2>
                <form method="post" action="/owners/new">
                %s  <p><button>Add owner</button></p>
                </form>
                """.formatted(ownerFields(null)));
        return page("Owners, page " + number, html);
    }

    static String editPet(Clinic.PetPage page, List<Clinic.Type> types) {
        Clinic.Pet pet = page.pet();
        String base = "/owners/" + page.owner().id() + "/pets/" + pet.id();
        StringBuilder html = new StringBuilder("<h1>").append(escape(pet.name())).append("</h1>\n");
        html.append("<p>Owner: <a href=\"/owners/").append(page.owner().id()).append("\">")
                .append(escape(page.owner().name())).append("</a></p>\n");
        html.append("""
                <form method="post" action="%1$s/edit">
                %2$s  <p><button>Update pet</button></p>
                </form>
                <h2>Give to another owner</h2>
                <form method="post" action="%1$s/move">
                  <p><label>Owner number<br><input name="ownerId" required inputmode="numeric"></label></p>
                  <p><button>Move pet</button></p>
                </form>
                <form method="post" action="%1$s/delete">
                  <p><button>Delete pet and its visits</button></p>
                </form>
                """.formatted(base, petFields(pet, types)));
        return page("Edit " + pet.name(), html);
    }

    static String newVisit(Clinic.PetPage page) {
        Clinic.Pet pet = page.pet();
        String base = "/owners/" + page.owner().id() + "/pets/" + pet.id();
        StringBuilder html = new StringBuilder("<h1>New visit for ").append(escape(pet.name())).append("</h1>\n");
        html.append("<p>").append(escape(pet.type())).append(", born ").append(pet.birthDate())
                .append(", owner <a href=\"/owners/").append(page.owner().id()).append("\">")
                .append(escape(page.owner().name())).append("</a></p>\n");
        html.append("""
                <form method="post" action="%s/visits/new">
                  <p><label>Date<br><input name="date" type="date" required></label></p>
                  <p><label>Description<br><input name="description" required maxlength="255"></label></p>
                  <p><button>Add visit</button></p>
                </form>
                <h2>Previous visits</h2>
                """.formatted(base));
        visits(html, pet.visits());
        return page("New visit for " + pet.name(), html);
    }

    static String vets(List<Clinic.Vet> vets, List<Clinic.Specialty> specialties) {
        StringBuilder html = new StringBuilder("<h1>Veterinarians</h1>\n<ul>\n");
        for (Clinic.Vet vet : vets) {
            html.append("  <li>").append(escape(vet.firstName() + " " + vet.lastName())).append(": ")
                    .append(vet.specialties().isEmpty() ? "none" : escape(String.join(", ", vet.specialties())))
                    .append("</li>\n");
        }
        html.append("</ul>\n<h2>Hire a veterinarian</h2>\n<form method=\"post\" action=\"/vets/new\">\n")
                .append(field("First name", "firstName", "")).append(field("Last name", "lastName", ""));
        for (Clinic.Specialty specialty : specialties) {
            html.append("  <p><label><input type=\"checkbox\" name=\"specialtyId\" value=\"").append(specialty.id())
                    .append("\"> ").append(escape(specialty.name())).append("</label></p>\n");
        }
        html.append("  <p><button>Add veterinarian</button></p>\n</form>\n");
        return page("Veterinarians", html);
    }

    static String error(int status, String message) {
        return page("Error " + status, new StringBuilder()
                .append("<h1>").append(status).append("</h1>\n<p>").append(escape(message)).append("</p>\n"));
    }

    /**
     * The link to the search page of a last name, spelled as a browser's GET form sends it ({@code Van+Winkle}):
     * that spelling is nginx's cache key, and the one Roan's rule fills.
     */
    static String searchLink(String lastName) {
        return "/owners?lastName=" + URLEncoder.encode(lastName, StandardCharsets.UTF_8);
    }

    private static void details(StringBuilder html, Clinic.Owner owner) {
        html.append("<p>").append(escape(owner.address())).append(", ").append(escape(owner.city()))
                .append(" · ").append(escape(owner.telephone()))
                .append(" · <a href=\"").append(escape(searchLink(owner.lastName()))).append("\">All ")
                .append(escape(owner.lastName())).append("s</a></p>\n");
    }

    private static void listed(StringBuilder html, List<Clinic.Listed> owners) {
        if (owners.isEmpty()) {
            html.append("<p>No owners.</p>\n");
            return;
        }
        html.append("<table>\n<tr><th>Name</th><th>Address</th><th>City</th><th>Telephone</th><th>Pets</th></tr>\n");
        for (Clinic.Listed listed : owners) {
            Clinic.Owner owner = listed.owner();
            html.append("<tr><td><a href=\"/owners/").append(owner.id()).append("\">").append(escape(owner.name()))
                    .append("</a></td><td>").append(escape(owner.address())).append("</td><td>")
                    .append(escape(owner.city())).append("</td><td>").append(escape(owner.telephone()))
                    .append("</td><td>").append(escape(String.join(", ", listed.pets()))).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private static void visits(StringBuilder html, List<Clinic.Visit> visits) {
        if (visits.isEmpty()) {
            html.append("<p>No visits.</p>\n");
            return;
        }
        html.append("<ul>\n");
        for (Clinic.Visit visit : visits) {
            html.append("  <li>").append(visit.date()).append(": ").append(escape(visit.description()))
                    .append("</li>\n");
        }
        html.append("</ul>\n");
    }

    private static String ownerFields(Clinic.Owner owner) {
        return field("First name", "firstName", owner == null ? "" : owner.firstName())
                + field("Last name", "lastName", owner == null ? "" : owner.lastName())
                + field("Address", "address", owner == null ? "" : owner.address())
                + field("City", "city", owner == null ? "" : owner.city())
                + field("Telephone", "telephone", owner == null ? "" : owner.telephone());
    }

    private static String petFields(Clinic.Pet pet, List<Clinic.Type> types) {
        StringBuilder html = new StringBuilder()
                .append(field("Name", "name", pet == null ? "" : pet.name()))
                .append(field("Birth date", "birthDate", pet == null ? "" : pet.birthDate().toString()))
                .append("  <p><label>Type<br><select name=\"typeId\">");
        for (Clinic.Type type : types) {
            html.append("<option value=\"").append(type.id()).append('"')
                    .append(pet != null && pet.typeId() == type.id() ? " selected" : "").append('>')
                    .append(escape(type.name())).append("</option>");
        }
        return html.append("</select></label></p>\n").toString();
    }

    private static String field(String label, String name, String value) {
        return "  <p><label>" + label + "<br><input name=\"" + name + "\" value=\"" + escape(value)
                + "\" required></label></p>\n";
    }

    private static String page(String title, CharSequence main) {
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>%s</title>
                </head>
                <body>
                <nav><a href="/owners?page=1">Owners</a> · <a href="/vets">Veterinarians</a>
                <form method="get" action="/owners"><input name="lastName" placeholder="Last name"><button>Find</button></form>
                <form method="get" action="/owners"><input name="lastNameStartsWith" placeholder="Start of a last name"><button>Find</button></form></nav>
                <main>
                %s</main>
                </body>
                </html>
                """.formatted(escape(title), main);
    }

    /** Escapes text for HTML element content and double-quoted attribute values. */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
