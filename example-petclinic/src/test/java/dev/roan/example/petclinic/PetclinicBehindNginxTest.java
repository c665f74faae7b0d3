package dev.roan.example.petclinic;

import java.util.List;

/** The petclinic with its rules on H2, as {@code application.properties} configures it, behind a real nginx. */
class PetclinicBehindNginxTest extends PetclinicBehindNginx {

    @Override
    List<String> database() {
        return h2();
    }
}
