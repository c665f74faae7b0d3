package dev.roan.example.petclinic;

import static dev.roan.example.petclinic.jooq.Tables.OWNERS;
import static dev.roan.example.petclinic.jooq.Tables.PETS;
import static dev.roan.example.petclinic.jooq.Tables.SPECIALTIES;
import static dev.roan.example.petclinic.jooq.Tables.TYPES;
import static dev.roan.example.petclinic.jooq.Tables.VETS;
import static dev.roan.example.petclinic.jooq.Tables.VET_SPECIALTIES;
import static dev.roan.example.petclinic.jooq.Tables.VISITS;

import dev.roan.jooq.Roan;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Records;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The clinic's reads and writes, all through Boot's jOOQ {@code DSLContext}, each write one {@code @Transactional}
 * method as in spring-petclinic: the starter's Spring boundary holds Roan's purges until Spring's commit.
 *
 * <p>The writes are petclinic's own statements: an owner and a pet are updated by id ({@code update pets set ...
 * where id = ?}), a visit is an insert that names only its pet, a pet is deleted by id. Which pages they change is
 * the rules' business ({@link PetclinicRules}); only the owners list's pages are purged here, by hand, because which
 * page shows an owner depends on every other owner: no rule can name it.
 *
 * <p>In tracked mode ({@code petclinic.rules.enabled=false} with {@code roan.track.enabled=true}, the Spring profile
 * {@code tracked}) not even that: every page is rendered inside {@code Roan.track} by the starter's filter, which
 * learns what it read, and these methods are left exactly as they are, minus the purge by hand.
 */
@Service
public class Clinic {

    /** Owners per page of the owners list, {@code /owners?page=N}. */
    static final int PAGE_SIZE = 5;

    private final DSLContext dsl;
    private final Roan roan;
    /** Rules mode: the list pages are purged by hand. Tracked mode: Roan learns them from the renders. */
    private final boolean purgeByHand;

    Clinic(DSLContext dsl, Roan roan, @Value("${petclinic.rules.enabled:true}") boolean purgeByHand) {
        this.dsl = dsl;
        this.roan = roan;
        this.purgeByHand = purgeByHand;
    }

    record Owner(int id, String firstName, String lastName, String address, String city, String telephone) {

        String name() {
            return firstName + " " + lastName;
        }
    }

    record Visit(LocalDate date, String description) {
    }

    record Pet(int id, int ownerId, String name, LocalDate birthDate, int typeId, String type, List<Visit> visits) {
    }

    /** An owner with their pets, each with its visits. */
    record OwnerPage(Owner owner, List<Pet> pets) {
    }

    /** An owner as lists show them: with the names of their pets. */
    record Listed(Owner owner, List<String> pets) {
    }

    /** A pet with its owner and visits: the pet's edit page and its visit form. */
    record PetPage(Owner owner, Pet pet) {
    }

    record Vet(String firstName, String lastName, List<String> specialties) {
    }

    record Type(int id, String name) {
    }

    record OwnerForm(String firstName, String lastName, String address, String city, String telephone) {
    }

    record PetForm(String name, LocalDate birthDate, int typeId) {
    }

    record VisitForm(LocalDate date, String description) {
    }

    record VetForm(String firstName, String lastName, List<Integer> specialtyIds) {
    }

    record Specialty(int id, String name) {
    }

    @Transactional(readOnly = true)
    public Optional<OwnerPage> owner(int ownerId) {
        return findOwner(ownerId).map(owner -> new OwnerPage(owner, pets(PETS.OWNER_ID.eq(ownerId))));
    }

    /** The owners whose last name is exactly {@code lastName}. */
    @Transactional(readOnly = true)
    public List<Listed> byLastName(String lastName) {
        return listed(OWNERS.LAST_NAME.eq(lastName), 0, Integer.MAX_VALUE);
    }

    /** The owners whose last name starts with {@code prefix}, as spring-petclinic's search does. */
    @Transactional(readOnly = true)
    public List<Listed> byLastNamePrefix(String prefix) {
        return listed(OWNERS.LAST_NAME.startsWith(prefix), 0, Integer.MAX_VALUE);
    }

    /** A page of the list of all owners, in the order they registered; {@code page} starts at 1. */
    @Transactional(readOnly = true)
    public List<Listed> ownersPage(int page) {
        return listed(org.jooq.impl.DSL.noCondition(), (page - 1) * PAGE_SIZE, PAGE_SIZE);
    }

    @Transactional(readOnly = true)
    public Optional<PetPage> pet(int ownerId, int petId) {
        return findOwner(ownerId).flatMap(owner -> pets(PETS.ID.eq(petId).and(PETS.OWNER_ID.eq(ownerId))).stream()
                .findFirst()
                .map(pet -> new PetPage(owner, pet)));
    }

    @Transactional(readOnly = true)
    public List<Vet> vets() {
        Map<Integer, Vet> vets = new LinkedHashMap<>();
        dsl.select(VETS.ID, VETS.FIRST_NAME, VETS.LAST_NAME, SPECIALTIES.NAME)
                .from(VETS)
                .leftJoin(VET_SPECIALTIES).on(VET_SPECIALTIES.VET_ID.eq(VETS.ID))
                .leftJoin(SPECIALTIES).on(SPECIALTIES.ID.eq(VET_SPECIALTIES.SPECIALTY_ID))
                .orderBy(VETS.LAST_NAME, VETS.FIRST_NAME, VETS.ID, SPECIALTIES.NAME)
                .forEach(r -> {
                    Vet vet = vets.computeIfAbsent(r.value1(), id -> new Vet(r.value2(), r.value3(), new ArrayList<>()));
                    if (r.value4() != null) {
                        vet.specialties().add(r.value4());
                    }
                });
        return List.copyOf(vets.values());
    }

    @Transactional(readOnly = true)
    public List<Type> types() {
        return dsl.select(TYPES.ID, TYPES.NAME).from(TYPES).orderBy(TYPES.NAME).fetch(Records.mapping(Type::new));
    }

    @Transactional(readOnly = true)
    public List<Specialty> specialties() {
        return dsl.select(SPECIALTIES.ID, SPECIALTIES.NAME).from(SPECIALTIES).orderBy(SPECIALTIES.NAME)
                .fetch(Records.mapping(Specialty::new));
    }

    /** Registers an owner; returns the new owner's id. */
    @Transactional
    public int addOwner(OwnerForm form) {
        int ownerId = dsl.insertInto(OWNERS)
                .set(OWNERS.FIRST_NAME, form.firstName())
                .set(OWNERS.LAST_NAME, form.lastName())
                .set(OWNERS.ADDRESS, form.address())
                .set(OWNERS.CITY, form.city())
                .set(OWNERS.TELEPHONE, form.telephone())
                .returningResult(OWNERS.ID)
                .fetchSingle()
                .value1();
        purgeListPagesOf(ownerId);
        return ownerId;
    }

    /** Changes an owner's details, their name too; false if there is no such owner. */
    @Transactional
    public boolean updateOwner(int ownerId, OwnerForm form) {
        boolean updated = dsl.update(OWNERS)
                .set(OWNERS.FIRST_NAME, form.firstName())
                .set(OWNERS.LAST_NAME, form.lastName())
                .set(OWNERS.ADDRESS, form.address())
                .set(OWNERS.CITY, form.city())
                .set(OWNERS.TELEPHONE, form.telephone())
                .where(OWNERS.ID.eq(ownerId))
                .execute() > 0;
        if (updated) {
            purgeListPagesOf(ownerId);
        }
        return updated;
    }

    /** Adds a pet to an owner; false if there is no such owner. */
    @Transactional
    public boolean addPet(int ownerId, PetForm form) {
        if (!dsl.fetchExists(OWNERS, OWNERS.ID.eq(ownerId))) {
            return false;
        }
        dsl.insertInto(PETS)
                .set(PETS.NAME, form.name())
                .set(PETS.BIRTH_DATE, form.birthDate())
                .set(PETS.TYPE_ID, form.typeId())
                .set(PETS.OWNER_ID, ownerId)
                .execute();
        purgeListPagesOf(ownerId);
        return true;
    }

    /** Changes a pet's name, birth date and type, by id as petclinic does; false if the owner has no such pet. */
    @Transactional
    public boolean updatePet(int ownerId, int petId, PetForm form) {
        if (!ownsPet(ownerId, petId)) {
            return false;
        }
        dsl.update(PETS)
                .set(PETS.NAME, form.name())
                .set(PETS.BIRTH_DATE, form.birthDate())
                .set(PETS.TYPE_ID, form.typeId())
                .where(PETS.ID.eq(petId))
                .execute();
        purgeListPagesOf(ownerId);
        return true;
    }

    /** Gives a pet to another owner; false if the owner has no such pet or the new owner does not exist. */
    @Transactional
    public boolean movePet(int ownerId, int petId, int newOwnerId) {
        if (!ownsPet(ownerId, petId) || !dsl.fetchExists(OWNERS, OWNERS.ID.eq(newOwnerId))) {
            return false;
        }
        dsl.update(PETS).set(PETS.OWNER_ID, newOwnerId).where(PETS.ID.eq(petId)).execute();
        purgeListPagesOf(ownerId, newOwnerId);
        return true;
    }

    /** Records a visit of a pet; false if the owner has no such pet. */
    @Transactional
    public boolean addVisit(int ownerId, int petId, VisitForm form) {
        if (!ownsPet(ownerId, petId)) {
            return false;
        }
        dsl.insertInto(VISITS)
                .set(VISITS.PET_ID, petId)
                .set(VISITS.VISIT_DATE, form.date())
                .set(VISITS.DESCRIPTION, form.description())
                .execute();
        return true;
    }

    /** Deletes a pet and its visits, by id; false if the owner has no such pet. */
    @Transactional
    public boolean deletePet(int ownerId, int petId) {
        if (!ownsPet(ownerId, petId)) {
            return false;
        }
        dsl.deleteFrom(VISITS).where(VISITS.PET_ID.eq(petId)).execute();
        dsl.deleteFrom(PETS).where(PETS.ID.eq(petId)).execute();
        purgeListPagesOf(ownerId);
        return true;
    }

    /**
     * Changes an owner's telephone number in plain SQL, as an application does where the DSL is in the way (a
     * statement pasted from a console, a bulk fix): Roan reads it through jOOQ's parser. False if there is no such
     * owner.
     *
     * <p>With rules, the search page that shows the number is purged by hand too: the parser sees {@code id = ?}
     * but not the owner's last name, which the rule {@code /owners?lastName={last_name}} needs and which Roan does
     * not read first for plain SQL (it warns once). Tracked, Roan needs neither.
     */
    @Transactional
    public boolean changeTelephone(int ownerId, String telephone) {
        boolean updated = dsl.execute("update owners set telephone = ? where id = ?", telephone, ownerId) > 0;
        if (updated && purgeByHand) {
            purgeListPagesOf(ownerId);
            roan.purgeAfterCommit(Pages.searchLink(
                    dsl.select(OWNERS.LAST_NAME).from(OWNERS).where(OWNERS.ID.eq(ownerId)).fetchSingle().value1()));
        }
        return updated;
    }

    /** Hires a veterinarian with their specialties. */
    @Transactional
    public void addVet(VetForm form) {
        int vetId = dsl.insertInto(VETS)
                .set(VETS.FIRST_NAME, form.firstName())
                .set(VETS.LAST_NAME, form.lastName())
                .returningResult(VETS.ID)
                .fetchSingle()
                .value1();
        for (int specialtyId : form.specialtyIds()) {
            dsl.insertInto(VET_SPECIALTIES)
                    .set(VET_SPECIALTIES.VET_ID, vetId)
                    .set(VET_SPECIALTIES.SPECIALTY_ID, specialtyId)
                    .execute();
        }
    }

    /**
     * Purges, after this transaction commits, the owners list's page that shows each of these owners. The page an
     * owner is on is a count of the owners before them, a fact about every other row: no rule can name it, but the
     * application can, here, in the transaction that changed the row.
     */
    private void purgeListPagesOf(int... ownerIds) {
        if (!purgeByHand) {
            return;
        }
        for (int ownerId : ownerIds) {
            int before = dsl.fetchCount(OWNERS, OWNERS.ID.lt(ownerId));
            roan.purgeAfterCommit("/owners?page=" + (before / PAGE_SIZE + 1));
        }
    }

    private boolean ownsPet(int ownerId, int petId) {
        return dsl.fetchExists(PETS, PETS.ID.eq(petId).and(PETS.OWNER_ID.eq(ownerId)));
    }

    private Optional<Owner> findOwner(int ownerId) {
        return dsl.select(OWNERS.ID, OWNERS.FIRST_NAME, OWNERS.LAST_NAME, OWNERS.ADDRESS, OWNERS.CITY,
                        OWNERS.TELEPHONE)
                .from(OWNERS)
                .where(OWNERS.ID.eq(ownerId))
                .fetchOptional(Records.mapping(Owner::new));
    }

    private List<Pet> pets(Condition which) {
        List<Pet> pets = dsl.select(PETS.ID, PETS.OWNER_ID, PETS.NAME, PETS.BIRTH_DATE, PETS.TYPE_ID, TYPES.NAME)
                .from(PETS)
                .join(TYPES).on(TYPES.ID.eq(PETS.TYPE_ID))
                .where(which)
                .orderBy(PETS.NAME, PETS.ID)
                .fetch(r -> new Pet(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6(),
                        new ArrayList<>()));
        if (pets.isEmpty()) {
            return pets;
        }
        Map<Integer, Pet> byId = new LinkedHashMap<>();
        pets.forEach(pet -> byId.put(pet.id(), pet));
        dsl.select(VISITS.PET_ID, VISITS.VISIT_DATE, VISITS.DESCRIPTION)
                .from(VISITS)
                .where(VISITS.PET_ID.in(byId.keySet()))
                .orderBy(VISITS.VISIT_DATE, VISITS.ID)
                .forEach(r -> byId.get(r.value1()).visits().add(new Visit(r.value2(), r.value3())));
        return pets;
    }

    private List<Listed> listed(Condition which, int offset, int limit) {
        List<Owner> owners = dsl.select(OWNERS.ID, OWNERS.FIRST_NAME, OWNERS.LAST_NAME, OWNERS.ADDRESS, OWNERS.CITY,
                        OWNERS.TELEPHONE)
                .from(OWNERS)
                .where(which)
                .orderBy(OWNERS.ID)
                .offset(offset)
                .limit(limit)
                .fetch(Records.mapping(Owner::new));
        if (owners.isEmpty()) {
            return List.of();
        }
        Map<Integer, List<String>> pets = new LinkedHashMap<>();
        owners.forEach(owner -> pets.put(owner.id(), new ArrayList<>()));
        dsl.select(PETS.OWNER_ID, PETS.NAME)
                .from(PETS)
                .where(PETS.OWNER_ID.in(pets.keySet()))
                .orderBy(PETS.NAME, PETS.ID)
                .forEach(r -> pets.get(r.value1()).add(r.value2()));
        return owners.stream().map(owner -> new Listed(owner, List.copyOf(pets.get(owner.id())))).toList();
    }
}
