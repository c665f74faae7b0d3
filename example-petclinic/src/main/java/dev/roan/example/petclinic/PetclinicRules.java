package dev.roan.example.petclinic;

import static dev.roan.example.petclinic.jooq.Tables.OWNERS;
import static dev.roan.example.petclinic.jooq.Tables.PETS;
import static dev.roan.example.petclinic.jooq.Tables.SPECIALTIES;
import static dev.roan.example.petclinic.jooq.Tables.VETS;
import static dev.roan.example.petclinic.jooq.Tables.VET_SPECIALTIES;
import static dev.roan.example.petclinic.jooq.Tables.VISITS;

import dev.roan.jooq.PurgeRule;
import dev.roan.jooq.Roan;
import dev.roan.spring.boot.RoanCustomizer;
import org.jooq.conf.RenderQuotedNames;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.jooq.autoconfigure.DefaultConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Which pages each table feeds: the rules a careful user writes for petclinic, page by page, each with the writes
 * it is for. Writes are {@link Clinic}'s, which are spring-petclinic's.
 *
 * <p>Two switches exist only to show what Roan's features fix (see the module's README): with
 * {@code petclinic.rules.related-rows=false} the rules that reach a page through a related row ({@code via}) are left
 * out, as they had to be before {@code via} existed; with {@code petclinic.rules.read-rows=false} every rule is
 * {@code withoutReadingRows()}, as if Roan still filled placeholders only from what a statement says.
 *
 * <p>In tracked mode (the Spring profile {@code tracked}: {@code petclinic.rules.enabled=false}), none of these is
 * registered: the starter's filter renders every page inside {@code Roan.track}, and Roan learns from each page's
 * SELECTs what it depends on.
 */
@Configuration(proxyBeanMethods = false)
class PetclinicRules {

    @Bean
    @ConditionalOnBooleanProperty(name = "petclinic.rules.enabled", matchIfMissing = true)
    RoanCustomizer petclinicPages(@Value("${petclinic.rules.related-rows:true}") boolean relatedRows,
            @Value("${petclinic.rules.read-rows:true}") boolean readRows) {
        return roan -> register(roan, relatedRows, readRows);
    }

    static void register(Roan roan, boolean relatedRows, boolean readRows) {
        Rules rules = new Rules(roan, readRows);

        // The owner page, /owners/{id}: the owner's own row. A new owner's id comes from the insert's RETURNING;
        // an edit is "update owners set ... where id = ?", which names it.
        rules.purge("/owners/{id}").onWrite(OWNERS);
        // ...and their pets. Petclinic updates and deletes a pet by its id ("update pets set name = ? ... where
        // id = ?"), which does not say whose pet it is: Roan reads owner_id from the row before the statement runs,
        // in the same transaction. Moving a pet (SET owner_id) purges the old owner's page and the new one's.
        rules.purge("/owners/{owner_id}").onWrite(PETS);
        // ...and each pet's visits. A visit row names only its pet; the page is that pet's owner's: Roan reads the
        // pet's row (after the insert, in the same transaction) and fills the path from its owner_id.
        if (relatedRows) {
            rules.purge("/owners/{owner_id}").onWrite(VISITS).via(VISITS.PET_ID, PETS.ID);
        }

        // The search by last name, /owners?lastName=Davis: the owners' names and addresses, and their pets' names.
        // Renaming an owner by id ("update owners set last_name = ? where id = ?") changes two search pages, the
        // old name's and the new one's: Roan reads the old last_name before the update. The query is filled as a
        // browser's form sends it, so "Van Winkle" purges /owners?lastName=Van+Winkle, nginx's cache key.
        rules.purge("/owners?lastName={last_name}").onWrite(OWNERS);
        // A pet's name is on its owner's search page, found through the pet's owner_id (the old and the new one
        // when a pet moves).
        if (relatedRows) {
            rules.purge("/owners?lastName={last_name}").onWrite(PETS).via(PETS.OWNER_ID, OWNERS.ID);
        }

        // A pet's edit page and its visit form: the pet's own row, found by its id and its owner's (read first
        // when an update or delete says only the id). Moving a pet purges them under the old owner's address too.
        // Not on insert: a new pet's pages were never cached (nginx stores only 200s), and petclinic's insert has
        // no RETURNING, so Roan could not tell the new id anyway (it would warn about it).
        rules.purge("/owners/{owner_id}/pets/{id}/edit").onUpdate(PETS).onDelete(PETS);
        rules.purge("/owners/{owner_id}/pets/{id}/visits/new").onUpdate(PETS).onDelete(PETS);
        if (relatedRows) {
            // Both show the owner's name: renaming an owner reaches every pet of theirs.
            rules.purge("/owners/{owner_id}/pets/{id}/edit").onUpdate(OWNERS).via(OWNERS.ID, PETS.OWNER_ID);
            rules.purge("/owners/{owner_id}/pets/{id}/visits/new").onUpdate(OWNERS).via(OWNERS.ID, PETS.OWNER_ID);
            // The visit form lists the pet's previous visits.
            rules.purge("/owners/{owner_id}/pets/{id}/visits/new").onWrite(VISITS).via(VISITS.PET_ID, PETS.ID);
        }

        // The veterinarians: one page, every vet with their specialties. Petclinic never writes these tables, but
        // whoever does (a migration, an admin tool through jOOQ) purges it.
        rules.purge("/vets").onWrite(VETS, SPECIALTIES, VET_SPECIALTIES);

        // Not here: the owners list, /owners?page=N. The page an owner is on depends on every owner before them,
        // so no rule can name it; Clinic purges it by hand (roan.purgeAfterCommit) in the writes that change it.
        // Nor the prefix search, /owners?lastNameStartsWith=Dav: every prefix of every name changed would need a
        // purge, so nginx does not cache it (nginx/nginx.conf).
    }

    /**
     * The migrations use unquoted names, which H2 folds to upper case and PostgreSQL to lower case: rendering the
     * generated names unquoted lets each database fold them its own way again.
     */
    @Bean
    DefaultConfigurationCustomizer unquotedNames() {
        return configuration -> configuration.settings().withRenderQuotedNames(RenderQuotedNames.NEVER);
    }

    /** Registers rules, all of them {@code withoutReadingRows()} when the switch says so. */
    private record Rules(Roan roan, boolean readRows) {

        PurgeRule purge(String path) {
            PurgeRule rule = roan.purge(path);
            return readRows ? rule : rule.withoutReadingRows();
        }
    }
}
