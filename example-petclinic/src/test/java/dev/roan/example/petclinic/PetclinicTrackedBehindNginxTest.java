package dev.roan.example.petclinic;

import java.util.List;

/** The petclinic in tracked mode on H2, behind a real nginx. */
class PetclinicTrackedBehindNginxTest extends PetclinicTrackedBehindNginx {

    @Override
    List<String> database() {
        return h2();
    }
}
