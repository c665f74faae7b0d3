package dev.roan.example.petclinic;

import java.net.URI;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The clinic's pages and form posts, at spring-petclinic's addresses. Every write answers with a redirect to the
 * page that shows it (post/redirect/get); nginx caches every page.
 *
 * <pre>
 * GET  /owners?lastName=Davis                        owners named exactly Davis, with their pets
 * GET  /owners?lastNameStartsWith=Dav                owners whose name starts with Dav (nginx does not cache it)
 * GET  /owners?page=1                                all owners, five a page
 * GET  /owners/{ownerId}                             an owner, their pets and each pet's visits
 * GET  /owners/{ownerId}/pets/{petId}/edit           a pet's form
 * GET  /owners/{ownerId}/pets/{petId}/visits/new     a visit's form, with the pet's previous visits
 * GET  /vets                                         the veterinarians and their specialties
 * POST /owners/new                                   firstName, lastName, address, city, telephone
 * POST /owners/{ownerId}/edit                        the same fields
 * POST /owners/{ownerId}/pets/new                    name, birthDate, typeId
 * POST /owners/{ownerId}/pets/{petId}/edit           the same fields
 * POST /owners/{ownerId}/pets/{petId}/move           ownerId: the new owner
 * POST /owners/{ownerId}/pets/{petId}/visits/new     date, description
 * POST /owners/{ownerId}/pets/{petId}/delete         deletes the pet and its visits
 * POST /owners/{ownerId}/telephone                   telephone (written in plain SQL)
 * POST /vets/new                                     firstName, lastName, specialtyId (repeated)
 * </pre>
 */
@Controller
@ResponseBody
class ClinicController {

    private static final String HTML = MediaType.TEXT_HTML_VALUE + ";charset=UTF-8";
    private static final String PET = "/owners/{ownerId}/pets/{petId}";

    private final Clinic clinic;

    ClinicController(Clinic clinic) {
        this.clinic = clinic;
    }

    @GetMapping(path = "/owners", produces = HTML)
    String owners(@RequestParam(required = false) String lastName,
            @RequestParam(required = false) String lastNameStartsWith, @RequestParam(required = false) Integer page) {
        if (lastName != null) {
            return Pages.search(lastName, clinic.byLastName(lastName));
        }
        if (lastNameStartsWith != null) {
            return Pages.prefixSearch(lastNameStartsWith, clinic.byLastNamePrefix(lastNameStartsWith));
        }
        int number = page == null ? 1 : page;
        if (number < 1) {
            throw new BadRequest(HttpStatus.NOT_FOUND, "Pages start at 1.");
        }
        return Pages.ownersPage(number, clinic.ownersPage(number));
    }

    @GetMapping(path = "/owners/{ownerId}", produces = HTML)
    String owner(@PathVariable int ownerId) {
        return clinic.owner(ownerId).map(page -> Pages.owner(page, clinic.types()))
                .orElseThrow(() -> noOwner(ownerId));
    }

    @GetMapping(path = PET + "/edit", produces = HTML)
    String editPet(@PathVariable int ownerId, @PathVariable int petId) {
        return clinic.pet(ownerId, petId).map(page -> Pages.editPet(page, clinic.types()))
                .orElseThrow(() -> noPet(ownerId, petId));
    }

    @GetMapping(path = PET + "/visits/new", produces = HTML)
    String newVisit(@PathVariable int ownerId, @PathVariable int petId) {
        return clinic.pet(ownerId, petId).map(Pages::newVisit).orElseThrow(() -> noPet(ownerId, petId));
    }

    @GetMapping(path = "/vets", produces = HTML)
    String vets() {
        return Pages.vets(clinic.vets(), clinic.specialties());
    }

    @PostMapping("/vets/new")
    ResponseEntity<Void> addVet(@RequestParam(defaultValue = "") String firstName,
            @RequestParam(defaultValue = "") String lastName,
            @RequestParam(name = "specialtyId", required = false) List<Integer> specialtyIds) {
        clinic.addVet(new Clinic.VetForm(required("firstName", firstName), required("lastName", lastName),
                specialtyIds == null ? List.of() : List.copyOf(new LinkedHashSet<>(specialtyIds))));
        return redirect("/vets");
    }

    @PostMapping("/owners/{ownerId}/telephone")
    ResponseEntity<Void> changeTelephone(@PathVariable int ownerId,
            @RequestParam(defaultValue = "") String telephone) {
        if (!clinic.changeTelephone(ownerId, required("telephone", telephone))) {
            throw noOwner(ownerId);
        }
        return redirect("/owners/" + ownerId);
    }

    @PostMapping("/owners/new")
    ResponseEntity<Void> addOwner(@RequestParam(defaultValue = "") String firstName,
            @RequestParam(defaultValue = "") String lastName, @RequestParam(defaultValue = "") String address,
            @RequestParam(defaultValue = "") String city, @RequestParam(defaultValue = "") String telephone) {
        int ownerId = clinic.addOwner(ownerForm(firstName, lastName, address, city, telephone));
        return redirect("/owners/" + ownerId);
    }

    @PostMapping("/owners/{ownerId}/edit")
    ResponseEntity<Void> updateOwner(@PathVariable int ownerId, @RequestParam(defaultValue = "") String firstName,
            @RequestParam(defaultValue = "") String lastName, @RequestParam(defaultValue = "") String address,
            @RequestParam(defaultValue = "") String city, @RequestParam(defaultValue = "") String telephone) {
        if (!clinic.updateOwner(ownerId, ownerForm(firstName, lastName, address, city, telephone))) {
            throw noOwner(ownerId);
        }
        return redirect("/owners/" + ownerId);
    }

    @PostMapping("/owners/{ownerId}/pets/new")
    ResponseEntity<Void> addPet(@PathVariable int ownerId, @RequestParam(defaultValue = "") String name,
            @RequestParam(defaultValue = "") String birthDate, @RequestParam(defaultValue = "0") int typeId) {
        if (!clinic.addPet(ownerId, petForm(name, birthDate, typeId))) {
            throw noOwner(ownerId);
        }
        return redirect("/owners/" + ownerId);
    }

    @PostMapping(PET + "/edit")
    ResponseEntity<Void> updatePet(@PathVariable int ownerId, @PathVariable int petId,
            @RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "") String birthDate,
            @RequestParam(defaultValue = "0") int typeId) {
        if (!clinic.updatePet(ownerId, petId, petForm(name, birthDate, typeId))) {
            throw noPet(ownerId, petId);
        }
        return redirect("/owners/" + ownerId);
    }

    @PostMapping(PET + "/move")
    ResponseEntity<Void> movePet(@PathVariable int ownerId, @PathVariable int petId,
            @RequestParam(name = "ownerId") int newOwnerId) {
        if (!clinic.movePet(ownerId, petId, newOwnerId)) {
            throw new BadRequest(HttpStatus.NOT_FOUND, "Owner " + ownerId + " has no pet " + petId
                    + ", or there is no owner " + newOwnerId + " to give it to.");
        }
        return redirect("/owners/" + newOwnerId);
    }

    @PostMapping(PET + "/visits/new")
    ResponseEntity<Void> addVisit(@PathVariable int ownerId, @PathVariable int petId,
            @RequestParam(defaultValue = "") String date, @RequestParam(defaultValue = "") String description) {
        if (!clinic.addVisit(ownerId, petId,
                new Clinic.VisitForm(date("date", date), required("description", description)))) {
            throw noPet(ownerId, petId);
        }
        return redirect("/owners/" + ownerId);
    }

    @PostMapping(PET + "/delete")
    ResponseEntity<Void> deletePet(@PathVariable int ownerId, @PathVariable int petId) {
        if (!clinic.deletePet(ownerId, petId)) {
            throw noPet(ownerId, petId);
        }
        return redirect("/owners/" + ownerId);
    }

    @ExceptionHandler(BadRequest.class)
    ResponseEntity<String> badRequest(BadRequest e) {
        return ResponseEntity.status(e.status).contentType(MediaType.parseMediaType(HTML))
                .body(Pages.error(e.status.value(), e.getMessage()));
    }

    /** Spring's {@code "redirect:..."} answer, 302 with a relative location, as spring-petclinic's controllers give. */
    private static ResponseEntity<Void> redirect(String location) {
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(location)).build();
    }

    private static Clinic.OwnerForm ownerForm(String firstName, String lastName, String address, String city,
            String telephone) {
        return new Clinic.OwnerForm(required("firstName", firstName), required("lastName", lastName),
                required("address", address), required("city", city), required("telephone", telephone));
    }

    private static Clinic.PetForm petForm(String name, String birthDate, int typeId) {
        return new Clinic.PetForm(required("name", name), date("birthDate", birthDate), typeId);
    }

    private static String required(String name, String value) {
        String stripped = value.strip();
        if (stripped.isEmpty()) {
            throw new BadRequest(HttpStatus.BAD_REQUEST, "Please fill in " + name + ".");
        }
        if (stripped.length() > 30 && !name.equals("address") && !name.equals("description")) {
            throw new BadRequest(HttpStatus.BAD_REQUEST, name + " must be at most 30 characters long.");
        }
        return stripped;
    }

    private static LocalDate date(String name, String value) {
        try {
            return LocalDate.parse(required(name, value));
        } catch (DateTimeParseException e) {
            throw new BadRequest(HttpStatus.BAD_REQUEST, name + " must be a date such as 2026-12-01.");
        }
    }

    private static BadRequest noOwner(int ownerId) {
        return new BadRequest(HttpStatus.NOT_FOUND, "There is no owner " + ownerId + ".");
    }

    private static BadRequest noPet(int ownerId, int petId) {
        return new BadRequest(HttpStatus.NOT_FOUND, "Owner " + ownerId + " has no pet " + petId + ".");
    }

    /** A request the clinic answers with an error page rather than a log entry. */
    static final class BadRequest extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final HttpStatus status;

        BadRequest(HttpStatus status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }
}
